// Field numbers: opentelemetry/proto/collector/logs/v1/logs_service.proto and logs/v1/logs.proto.
extension ProtobufWriter {
    /// `LogRecord`: time_unix_nano = 1, severity_number = 2, severity_text = 3, body = 5, attributes = 6,
    /// dropped_attributes_count = 7, flags = 8 (fixed32), trace_id = 9, span_id = 10,
    /// observed_time_unix_nano = 11, event_name = 12.
    mutating func writeLogRecord(_ field: Int, _ record: OTLPLogRecord) {
        writeMessage(field) { message in
            message.writeFixed64(1, record.timeUnixNano)
            message.writeUInt64(2, UInt64(record.severity.rawValue))
            message.writeString(3, record.severityText)
            if let body = record.body { message.writeAnyValue(5, body) }
            message.writeAttributes(6, record.attributes)
            message.writeUInt64(7, UInt64(record.droppedAttributesCount))
            message.writeFixed32(8, record.flags)
            if let traceID = record.traceID, traceID.isValid { message.writeTraceID(9, traceID) }
            if let spanID = record.spanID, spanID.isValid { message.writeSpanID(10, spanID) }
            message.writeFixed64(11, record.observedTimeUnixNano)
            message.writeString(12, record.eventName)
        }
    }
}
