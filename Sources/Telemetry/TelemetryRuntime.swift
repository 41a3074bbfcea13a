import CoreMetrics
import Foundation
import Instrumentation
import Logging
import PaymentsSupport
import ServiceLifecycle
import Tracing

/// The process's telemetry, assembled once from the standard `OTEL_*` variables: a ``TelemetryTracer`` for
/// swift-distributed-tracing, a ``MetricsRegistry`` for swift-metrics and JSON lines (plus OTLP log records) for
/// swift-log, with one ``OTLPHTTPExporter`` sending each signal that has an endpoint:
///
/// - spans through a ``BatchSpanProcessor`` (`OTEL_BSP_*`);
/// - metrics through a ``PeriodicMetricReader`` (`OTEL_METRIC_EXPORT_INTERVAL`), the same registry that `/metrics`
///   renders;
/// - log records through a batch processor of their own (`OTEL_BLRP_*`), beside the lines on stdout.
///
/// Its own health is in the registry: `telemetry_spans_dropped_total{signal}` (spans and log records dropped on a
/// full queue) and `telemetry_export_failures_total{signal}`. With `OTEL_SDK_DISABLED=true` there is no tracer and
/// nothing is exported; metrics are still kept for `/metrics` and lines still written.
///
/// Run it as the first service of the group, so that it stops last and flushes what the others ended:
public final class TelemetryRuntime: Service, Sendable, CustomStringConvertible {
    /// The tracer to bootstrap; `nil` when the SDK is disabled.
    public let tracer: TelemetryTracer?
    /// The metrics of the process, for `/metrics` and for export.
    public let metrics: MetricsRegistry
    /// What the process exports, and where; header values are never shown.
    public let exporterConfiguration: OTLPHTTPExporter.Configuration
    private let resource: OTLPResource
    private let logLevel: Logger.Level
    private let logSink: any LogSink
    private let spanProcessor: BatchSpanProcessor<ContinuousClock>?
    private let logProcessor: BatchProcessor<OTLPLogRecord, ContinuousClock>?
    private let metricReader: PeriodicMetricReader?
    private let exporter: OTLPHTTPExporter?

    /// Reads the environment. Throws an error naming the first bad `OTEL_*` variable (never its value).
    ///
    /// - Parameters:
    ///   - defaultServiceName: `service.name` unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` says otherwise.
    ///   - serviceVersion: `service.version`; `service.instance.id` is a new UUID per process.
    ///   - logLevel: Lines below it are neither written nor exported.
    ///   - logSink: Where the JSON lines go.
    ///   - metricDescriptions: Each metric's description, for `# HELP` and for OTLP.
    public init(
        environment: Environment, defaultServiceName: String = "payment-orchestrator", serviceVersion: String,
        logLevel: Logger.Level = .info, logSink: any LogSink = StandardOutputLogSink(),
        metricDescriptions: [String: String] = [:]
    ) throws(ConfigurationError) {
        let registry = MetricsRegistry(exemplarContext: TelemetryRuntime.currentExemplarContext)
        metrics = registry
        self.logLevel = logLevel
        self.logSink = logSink
        let configuration = try OTLPHTTPExporter.Configuration(environment: environment)
        exporterConfiguration = configuration
        resource = try OTLPResource(
            environment: environment, defaultServiceName: defaultServiceName, serviceVersion: serviceVersion,
            serviceInstanceID: UUID().uuidString.lowercased())
        let scope = OTLPInstrumentationScope(name: defaultServiceName, version: serviceVersion)
        // Every setting is read before the exporter (and its HTTP client) exists, so that a bad one stops start-up
        // with nothing to tear down.
        let spanConfiguration = try BatchProcessorConfiguration(environment: environment)
        let sampler = try TraceSampler(environment: environment)
        let logConfiguration = try BatchProcessorConfiguration(
            environment: environment, settings: TelemetrySettings.logRecordBatch, defaults: .logRecords)
        let metricConfiguration = try PeriodicMetricReader.Configuration(environment: environment)

        // Registered up front so that dashboards and alerts see zeros rather than no data.
        var dropped: [OTLPSignal: Counter] = [:]
        var failures: [OTLPSignal: Counter] = [:]
        for signal in OTLPSignal.allCases {
            let dimensions = [("signal", signal.rawValue)]
            failures[signal] = Counter(
                label: "telemetry_export_failures_total", dimensions: dimensions, factory: registry)
            if signal != .metrics {
                dropped[signal] = Counter(
                    label: "telemetry_spans_dropped_total", dimensions: dimensions, factory: registry)
            }
        }
        let exportFailures = failures
        let exporter =
            OTLPSignal.allCases.contains(where: { configuration.endpoint(for: $0) != nil })
            ? OTLPHTTPExporter(configuration: configuration) { event in
                if case .exportFailed(let signal, _, _) = event { exportFailures[signal]?.increment() }
            } : nil
        self.exporter = exporter

        if try environment.value(TelemetrySettings.sdkDisabled) == true {
            tracer = nil
            spanProcessor = nil
        } else {
            // Without a traces endpoint spans are still made and sampled, so that trace ids reach logs and
            // exemplars, but they go nowhere.
            let spanExporter: any SpanExporter =
                if let exporter, configuration.traces != nil {
                    OTLPTraceExporter(exporter: exporter, resource: resource, scope: scope)
                } else {
                    DiscardingSpanExporter()
                }
            let droppedSpans = dropped[.traces]!
            let processor = BatchSpanProcessor(
                exporter: spanExporter, configuration: spanConfiguration,
                onDrop: { droppedSpans.increment(by: $0) })
            spanProcessor = processor
            tracer = TelemetryTracer(sampler: sampler, processor: processor)
        }

        if let exporter, configuration.logs != nil {
            let droppedRecords = dropped[.logs]!
            logProcessor = BatchProcessor(
                name: "BatchLogRecordProcessor",
                exporting: .init { records in
                    try await exporter.export(records, deadline: .now + logConfiguration.exportTimeout)
                },
                configuration: logConfiguration, clock: .continuous, onDrop: { droppedRecords.increment(by: $0) })
        } else {
            logProcessor = nil
        }

        if let exporter, configuration.metrics != nil {
            metricReader = PeriodicMetricReader(
                registry: registry, exporter: exporter, resource: resource, scope: scope,
                descriptions: metricDescriptions, configuration: metricConfiguration)
        } else {
            metricReader = nil
        }
    }

    /// A name for service-group logs.
    public var description: String { "TelemetryRuntime(\(exporterConfiguration))" }

    /// The log handler for a logger labelled `label`: JSON lines on the sink, and OTLP records when logs are
    /// exported. Both add `trace_id`/`span_id` of the span active at each line.
    public func makeLogHandler(label: String, metadataProvider: Logger.MetadataProvider? = .traceContext)
        -> any LogHandler
    {
        let lines = JSONLogHandler(label: label, sink: logSink, logLevel: logLevel, metadataProvider: metadataProvider)
        guard let logProcessor else { return lines }
        let records = OTLPLogHandler(
            label: label, resource: resource, processor: logProcessor, logLevel: logLevel,
            metadataProvider: metadataProvider)
        return MultiplexLogHandler([lines, records])
    }

    /// Makes this runtime the process's logging, metrics and tracing backend. Call once per process, before
    /// anything logs, records a metric or starts a span (each of the three systems can be bootstrapped once).
    public func bootstrap() {
        LoggingSystem.bootstrap(
            { label, provider in self.makeLogHandler(label: label, metadataProvider: provider) },
            metadataProvider: .traceContext)
        MetricsSystem.bootstrap(metrics)
        if let tracer { InstrumentationSystem.bootstrap(tracer) }
    }

    /// Exports until graceful shutdown, then flushes every signal, each within its own bound (spans and log
    /// records 10 s, metrics 5 s, side by side), and closes the exporter.
    public func run() async throws {
        let spanProcessor = spanProcessor
        let logProcessor = logProcessor
        let metricReader = metricReader
        try await withThrowingDiscardingTaskGroup { group in
            if let spanProcessor { group.addTask { try await spanProcessor.run() } }
            if let logProcessor { group.addTask { try await logProcessor.run() } }
            if let metricReader { group.addTask { try await metricReader.run() } }
            // A service that returns early would end the whole group: with nothing to export, wait for shutdown.
            group.addTask { try? await gracefulShutdown() }
        }
        await exporter?.shutdown()
    }

    /// The sampled span active now, for exemplars.
    public static func currentExemplarContext() -> Exemplar.Context? {
        guard let context = ServiceContext.current?.spanContext, context.isSampled else { return nil }
        return Exemplar.Context(traceID: context.traceID, spanID: context.spanID)
    }
}

/// Accepts spans and keeps none: tracing without a collector still gives logs and exemplars their trace ids.
struct DiscardingSpanExporter: SpanExporter {
    func export(_ batch: [FinishedSpan]) async throws {}
    func forceFlush() async throws {}
    func shutdown() async {}
}
