// Measures, in one run, the cost of one span and of one metric event in the in-house telemetry runtime (the main
// package's `Telemetry` product), in swift-otel 1.6.0 and in the no-op backends, and prints a table with ratios.
// Run it with scripts/bench/telemetry.sh; `--help` lists the options.
import CoreMetrics
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Telemetry
import Tracing

let settings = Settings.parse(Array(CommandLine.arguments.dropFirst()))

if let variable = ProcessInfo.processInfo.environment.keys.first(where: { $0.hasPrefix("OTEL_") }) {
    // swift-otel applies OTEL_* overrides to the configuration below; the comparison would no longer be like for like.
    FileHandle.standardError.write(
        Data("warning: \(variable) is set and changes swift-otel's configuration; unset OTEL_* variables\n".utf8))
}

/// Builds the three backends, runs every selected benchmark while their processors run, and prints the report.
func runBenchmarks(settings: Settings) async throws {
    // (a) Ours: TelemetryTracer (parent-based always-on, the default) → BatchSpanProcessor (2048 / 512 / 5 s, the
    // defaults) → an exporter that discards.
    let ourExporter = DiscardingSpanExporter()
    let ourProcessor = BatchSpanProcessor(exporter: ourExporter, configuration: .default)
    let ourTracer = TelemetryTracer(
        sampler: TraceSampler(root: .alwaysOn, isParentBased: true), processor: ourProcessor)
    // The metrics registry as `payments serve` makes it: exemplars from the current span (none here).
    let ourRegistry = MetricsRegistry(exemplarContext: TelemetryRuntime.currentExemplarContext)
    // The same registry without the exemplar hook, to show what the hook's task-local lookup costs.
    let plainRegistry = MetricsRegistry()

    // (b) swift-otel 1.6.0 through its public API: its OTelTracer → OTelBatchSpanProcessor (same defaults) → its no-op
    // span exporter (the `none` exporter, an OTelSpanExporter that discards). Its processor's export and drop counts are
    // read off its diagnostic log.
    let otelDiagnostics = OTelDiagnostics()
    var otelConfiguration = OTel.Configuration.default
    otelConfiguration.serviceName = "telemetry-benchmarks"
    otelConfiguration.diagnosticLogger = .custom(otelDiagnostics.logger())
    otelConfiguration.diagnosticLogLevel = .debug
    otelConfiguration.traces.sampler = .parentBasedAlwaysOn
    otelConfiguration.traces.batchSpanProcessor = .default
    otelConfiguration.traces.exporter = .none
    otelConfiguration.metrics.exporter = .none
    // Same histogram buckets as ours, so both search the same number of bounds.
    otelConfiguration.metrics.defaultValueHistogramBuckets = MetricsRegistry.defaultBuckets
    let otelTracing = try OTel.makeTracingBackend(configuration: otelConfiguration)
    let otelMetrics = try OTel.makeMetricsBackend(configuration: otelConfiguration)

    // (c) The no-op floors.
    let noOpTracer = NoOpTracer()

    @Sendable func ourCounters() -> SpanCounters {
        SpanCounters(
            exportedBatches: ourExporter.batchCount, exportedSpans: ourExporter.spanCount,
            droppedSpans: ourProcessor.benchmarkDroppedCount)
    }

    @Sendable func otelCounters() -> SpanCounters {
        SpanCounters(
            exportedBatches: otelDiagnostics.exportedBatches, exportedSpans: otelDiagnostics.exportedSpans,
            droppedSpans: otelDiagnostics.droppedSpans)
    }

    // The benchmarks run while the processors run as services; then the group shuts down, processors last.
    let benchmarkRun = ClosureService {
        var report = Report(settings: settings)
        for threads in settings.threadCounts {
            let perThread = settings.spansPerRound
            var cases: [BenchmarkCase] = []
            if settings.selects("span.ours.\(threads)") {
                cases.append(
                    BenchmarkCase(variant: Variant.ours, threads: threads) {
                        await spanRound(ourTracer, threads: threads, perThread: perThread, nice: settings.producerNice)
                    })
            }
            if settings.selects("span.swift-otel.\(threads)") {
                cases.append(
                    BenchmarkCase(variant: Variant.otel, threads: threads) {
                        await spanRound(
                            otelTracing.factory, threads: threads, perThread: perThread, nice: settings.producerNice)
                    })
            }
            if settings.selects("span.no-op.\(threads)") {
                cases.append(
                    BenchmarkCase(variant: Variant.noOp, threads: threads) {
                        await spanRound(noOpTracer, threads: threads, perThread: perThread, nice: settings.producerNice)
                    })
            }
            guard !cases.isEmpty else { continue }
            let oursBefore = ourCounters()
            let otelBefore = otelCounters()
            let results = await runInterleaved(cases, settings: settings)
            // swift-otel's processor reports drops at its next tick (a full queue or its 5 s timer); wait for one.
            if cases.contains(where: { $0.variant == Variant.otel }) {
                try? await Task.sleep(for: settings.otelDrainWait)
            }
            let rounds = settings.warmupRounds + settings.rounds
            for result in results {
                let counters: SpanCounters? =
                    switch result.variant {
                    case Variant.ours: ourCounters() - oursBefore
                    case Variant.otel: otelCounters() - otelBefore
                    default: nil
                    }
                report.spans.append(SpanRow(result: result, made: perThread * threads * rounds, counters: counters))
            }
        }
        for threads in settings.threadCounts {
            let perThread = settings.metricEventsPerRound
            var cases: [BenchmarkCase] = []
            // ours-in-span records inside a sampled span, open only for its own rounds (so that the other variants run
            // with no span in flight): every histogram record takes an exemplar.
            let factories: [(String, any MetricsFactory, inSpan: Bool)] = [
                (Variant.ours, ourRegistry, false), (Variant.oursInSpan, ourRegistry, true),
                (Variant.oursPlain, plainRegistry, false), (Variant.otel, otelMetrics.factory, false),
                (Variant.noOp, NOOPMetricsHandler.instance, false),
            ]
            for (variant, factory, inSpan) in factories where settings.selects("metrics.\(variant).\(threads)") {
                let handles = MetricHandles(factory: factory)
                cases.append(
                    BenchmarkCase(variant: variant, threads: threads) {
                        let span =
                            inSpan ? ourTracer.startSpan("benchmark", context: .topLevel, ofKind: .internal) : nil
                        defer { span?.end() }
                        // No background work to make room for: metric threads run at the default niceness.
                        return await metricRound(
                            handles, threads: threads, perThread: perThread, nice: 0, context: span?.context)
                    })
            }
            guard !cases.isEmpty else { continue }
            report.metrics.append(contentsOf: await runInterleaved(cases, settings: settings))
        }
        report.otelWarnings = otelDiagnostics.warnings
        print(report.render())
    }

    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(service: ourProcessor, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: otelTracing.service, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: otelMetrics.service, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: benchmarkRun, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            logger: Logger(label: "telemetry-benchmarks", factory: { _ in SwiftLogNoOpLogHandler() })
        ))
    try await group.run()
}

try await runBenchmarks(settings: settings)
