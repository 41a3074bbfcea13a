import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Tracing

/// The process's tracing, assembled from the standard `OTEL_*` variables: a ``TelemetryTracer`` whose sampled spans
/// go through a ``BatchSpanProcessor`` to OTLP/HTTP when an endpoint is configured (and nowhere otherwise, while
/// trace ids still reach logs and exemplars). Run it as the first service of the group so that it stops last and
/// flushes what the others ended.
///
/// ```swift
/// let telemetry = try TelemetryRuntime(environment: env, serviceVersion: "0.1.0", metrics: registry)
/// InstrumentationSystem.bootstrap(telemetry.tracer)
/// let group = ServiceGroup(services: [telemetry, server], ...)
/// ```
public final class TelemetryRuntime: Service, Sendable {
    /// The tracer to bootstrap.
    public let tracer: TelemetryTracer
    private let processor: BatchSpanProcessor<ContinuousClock>
    private let exporter: OTLPHTTPExporter?
    private let droppedSpans: Counter
    private let exportFailures: Counter

    /// Reads the environment. Throws an error naming the first bad `OTEL_*` variable.
    public init(environment: [String: String], serviceVersion: String, metrics: any MetricsFactory) throws {
        let exportFailures = Counter(label: "telemetry_export_failures_total", dimensions: [("signal", "traces")], factory: metrics)
        self.exportFailures = exportFailures
        self.droppedSpans = Counter(label: "telemetry_spans_dropped_total", dimensions: [("signal", "traces")], factory: metrics)
        let configuration = try OTLPHTTPExporter.Configuration(environment: environment)
        let spanExporter: any SpanExporter
        if configuration.traces != nil {
            let exporter = OTLPHTTPExporter(configuration: configuration) { event in
                if case .exportFailed = event { exportFailures.increment() }
            }
            let resource = try OTLPResource(
                environment: environment, defaultServiceName: "payment-orchestrator", serviceVersion: serviceVersion,
                serviceInstanceID: UUID().uuidString.lowercased()
            )
            self.exporter = exporter
            spanExporter = OTLPTraceExporter(
                exporter: exporter, resource: resource, scope: OTLPInstrumentationScope(name: "payment-orchestrator", version: serviceVersion)
            )
        } else {
            self.exporter = nil
            spanExporter = DiscardingSpanExporter()
        }
        processor = BatchSpanProcessor(exporter: spanExporter, configuration: try BatchSpanProcessorConfiguration(environment: environment))
        tracer = TelemetryTracer(sampler: try TraceSampler(environment: environment), processor: processor)
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.processor.run() }
            group.addTask {
                // The processor counts drops; the metric follows it.
                var reported = 0
                while !Task.isCancelled {
                    let dropped = self.processor.droppedSpanCount
                    if dropped > reported {
                        self.droppedSpans.increment(by: Int64(dropped - reported))
                        reported = dropped
                    }
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                    } catch {
                        return
                    }
                }
            }
        }
        await exporter?.shutdown()
    }

    /// The sampled span active now, for exemplars.
    public static func currentExemplarContext() -> Exemplar.Context? {
        guard let context = ServiceContext.current?.spanContext, context.isSampled else { return nil }
        return Exemplar.Context(traceID: context.traceID.hexString, spanID: context.spanID.hexString)
    }
}

/// Accepts spans and keeps none: tracing without a collector still gives logs and exemplars their trace ids.
struct DiscardingSpanExporter: SpanExporter {
    func export(_ batch: [FinishedSpan]) async throws {}
    func forceFlush() async throws {}
    func shutdown() async {}
}
