import Foundation
import Logging
import Synchronization

/// What swift-otel's diagnostic logger reported: its batch span processor keeps its export and drop counts to
/// itself, but logs each export ("Exported batch.", debug, with `batch_size`) and, at each tick, the spans it
/// dropped since the previous one ("Spans were dropped…", warning, with `dropped_count`).
final class OTelDiagnostics: Sendable {
    private let exportedBatchCount = Atomic<Int>(0)
    private let exportedSpanCount = Atomic<Int>(0)
    private let droppedSpanCount = Atomic<Int>(0)
    private let otherWarnings = Mutex<[String]>([])

    /// Batches exported so far.
    var exportedBatches: Int { exportedBatchCount.load(ordering: .relaxed) }
    /// Spans in those batches.
    var exportedSpans: Int { exportedSpanCount.load(ordering: .relaxed) }
    /// Spans reported dropped so far (reported at the processor's next tick, so possibly late).
    var droppedSpans: Int { droppedSpanCount.load(ordering: .relaxed) }
    /// Warnings or errors other than drop reports, to print after the table.
    var warnings: [String] { otherWarnings.withLock { $0 } }

    /// A logger to pass as swift-otel's diagnostic logger. At `debug` level: the processor's per-span log call is at
    /// `trace`, so its cost (a level check) is the same as with the default `info` level.
    func logger() -> Logger {
        var logger = Logger(label: "swift-otel") { _ in Handler(diagnostics: self) }
        logger.logLevel = .debug
        return logger
    }

    fileprivate func record(_ event: LogEvent, handlerMetadata: Logger.Metadata) {
        let message = event.message.description
        func value(_ key: String) -> Int? {
            let found = event.metadata?[key] ?? handlerMetadata[key]
            return found.flatMap { Int("\($0)") }
        }
        if message == "Exported batch." {
            exportedBatchCount.add(1, ordering: .relaxed)
            exportedSpanCount.add(value("batch_size") ?? 0, ordering: .relaxed)
        } else if message.hasPrefix("Spans were dropped") {
            droppedSpanCount.add(value("dropped_count") ?? 0, ordering: .relaxed)
        } else if event.level >= .warning {
            otherWarnings.withLock { $0.append("\(event.level): \(message) \(event.metadata ?? [:])") }
        }
    }

    private struct Handler: LogHandler {
        let diagnostics: OTelDiagnostics
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .debug

        func log(event: LogEvent) {
            diagnostics.record(event, handlerMetadata: metadata)
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }
}
