import Logging
import Tracing

extension Logger.MetadataProvider {
    /// Adds `trace_id` and `span_id` (lower-case hex) of the current span to every log line written inside it.
    public static let traceContext = Logger.MetadataProvider {
        guard let span = ServiceContext.current?.spanContext else { return [:] }
        return ["trace_id": .string(span.traceID.hexString), "span_id": .string(span.spanID.hexString)]
    }
}
