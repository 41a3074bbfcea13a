// Makes spans on the main thread, without Swift concurrency, for instruction counting under valgrind (whose 3.19
// release cannot run a program that starts the Swift concurrency runtime's async main). The processors are not
// running, so this counts the span-making thread's work only:
//
//   valgrind --tool=callgrind --toggle-collect='*makeSpans*' TelemetrySpanProfile ours 20000
//
// - ours: TelemetryTracer → BatchSpanProcessor with a queue large enough for every span (none is dropped; the queue
//   array grows instead of being handed to an export every 512 spans).
// - swift-otel: its tracer and batch processor; their event streams buffer every span for a consumer that never runs,
//   so the cost of waking a waiting consumer is not counted.
// - no-op: swift-distributed-tracing's NoOpTracer.
//
// `metrics-ours`, `metrics-swift-otel` and `metrics-no-op` run the metric loop instead (toggle on '*recordMetrics*').
import CoreMetrics
import Foundation
import Logging
import OTel
import Telemetry
import Tracing
import Workload

struct Discard: SpanExporter {
    func export(_ batch: [FinishedSpan]) async throws {}
    func forceFlush() async throws {}
    func shutdown() async {}
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[2]) else {
    print("usage: TelemetrySpanProfile ours|swift-otel|no-op|metrics-ours|metrics-swift-otel|metrics-no-op COUNT")
    exit(2)
}
switch arguments[1] {
case "ours":
    let processor = BatchSpanProcessor(
        exporter: Discard(), configuration: .init(maxQueueSize: count + 1, maxExportBatchSize: 512))
    makeSpans(TelemetryTracer(sampler: .default, processor: processor), count: count, offset: 0)
    print("ours: \(count) spans")
case "swift-otel":
    var configuration = OTel.Configuration.default
    configuration.diagnosticLogger = .custom(Logger(label: "swift-otel") { _ in SwiftLogNoOpLogHandler() })
    configuration.traces.sampler = .parentBasedAlwaysOn
    configuration.traces.exporter = .none
    let backend = try OTel.makeTracingBackend(configuration: configuration)
    makeSpans(backend.factory, count: count, offset: 0)
    print("swift-otel: \(count) spans")
case "no-op":
    makeSpans(NoOpTracer(), count: count, offset: 0)
    print("no-op: \(count) spans")
case "metrics-ours":
    recordMetrics(
        MetricHandles(factory: MetricsRegistry(exemplarContext: TelemetryRuntime.currentExemplarContext)), count: count,
        offset: 0)
case "metrics-swift-otel":
    var configuration = OTel.Configuration.default
    configuration.diagnosticLogger = .custom(Logger(label: "swift-otel") { _ in SwiftLogNoOpLogHandler() })
    configuration.metrics.exporter = .none
    configuration.metrics.defaultValueHistogramBuckets = MetricsRegistry.defaultBuckets
    recordMetrics(
        MetricHandles(factory: try OTel.makeMetricsBackend(configuration: configuration).factory), count: count,
        offset: 0)
case "metrics-no-op":
    recordMetrics(MetricHandles(factory: NOOPMetricsHandler.instance), count: count, offset: 0)
default:
    print("unknown variant \(arguments[1])")
    exit(2)
}
