import Foundation
import Logging
import Tracing

/// A swift-log handler that turns every line into an OTLP log record and queues it for export: the message is
/// the body, the metadata the attributes, the logger's label the instrumentation scope, and the span active when
/// the line was written its `trace_id`/`span_id` (so a backend links the record to its trace).
///
/// It runs beside the JSON lines on stdout, through swift-log's `MultiplexLogHandler`; queueing never blocks, and
/// a full queue drops the record and counts it (see ``BatchProcessor``).
public struct OTLPLogHandler: LogHandler {
    /// The logger's label, exported as the record's instrumentation scope.
    public let label: String
    /// Lines at or above this level are exported.
    public var logLevel: Logger.Level
    /// Metadata on every record of this logger.
    public var metadata: Logger.Metadata
    /// Metadata computed per record; `trace_id`/`span_id` from it are dropped, the record carries them as ids.
    public var metadataProvider: Logger.MetadataProvider?
    private let resource: OTLPResource
    private let scope: OTLPInstrumentationScope
    private let processor: BatchProcessor<OTLPLogRecord, ContinuousClock>

    /// Creates a handler feeding `processor`.
    public init(
        label: String, resource: OTLPResource, processor: BatchProcessor<OTLPLogRecord, ContinuousClock>,
        logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.resource = resource
        self.scope = OTLPInstrumentationScope(name: label)
        self.processor = processor
        self.logLevel = logLevel
        self.metadata = [:]
        self.metadataProvider = metadataProvider
    }

    public func log(event: LogEvent) {
        let now = Date().unixNanoseconds
        let merged = mergedMetadata(for: event)
        var attributes = OTLPAttributes()
        for key in merged.keys.sorted() where !Self.traceKeys.contains(key) {
            Self.flatten(merged[key]!, as: key, into: &attributes)
        }
        if event.level >= .error {
            attributes["code.filepath"] = .string(event.file)
            attributes["code.lineno"] = .int(Int64(event.line))
            attributes["code.function"] = .string(event.function)
        }
        let span = ServiceContext.current?.spanContext
        processor.enqueue(
            OTLPLogRecord(
                resource: resource, scope: scope, timeUnixNano: now, observedTimeUnixNano: now,
                severity: Self.severity(event.level), severityText: event.level.rawValue,
                body: .string(event.message.description), attributes: attributes,
                traceID: span?.traceID,
                spanID: span?.spanID,
                flags: span.map { UInt32($0.traceFlags.rawValue) } ?? 0))
    }

    private static let traceKeys: Set<String> = ["trace_id", "span_id"]

    /// Nested dictionaries become dotted keys (`peer.name`), since attributes here are flat.
    private static func flatten(_ value: Logger.Metadata.Value, as key: String, into attributes: inout OTLPAttributes) {
        switch value {
        case .dictionary(let dictionary):
            for nested in dictionary.keys.sorted() {
                flatten(dictionary[nested]!, as: "\(key).\(nested)", into: &attributes)
            }
        default:
            attributes[key] = anyValue(value)
        }
    }

    private static func anyValue(_ value: Logger.Metadata.Value) -> OTLPAttributeValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let values): .array(values.map(anyValue))
        case .dictionary(let dictionary):
            .array(dictionary.keys.sorted().map { .string("\($0)=\(dictionary[$0]!)") })
        }
    }

    /// swift-log's levels on OTLP's severity numbers.
    static func severity(_ level: Logger.Level) -> OTLPLogRecord.Severity {
        switch level {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .info2
        case .warning: .warn
        case .error: .error
        case .critical: .fatal
        }
    }
}
