// Field numbers: opentelemetry/proto/collector/trace/v1/trace_service.proto and trace/v1/trace.proto.
extension ProtobufWriter {
    /// `Span`, fields written in field-number order as protobuf libraries do.
    mutating func writeSpan(_ field: Int, _ span: OTLPSpanData) {
        writeMessage(field) { message in
            message.writeTraceID(1, span.traceID)
            message.writeSpanID(2, span.spanID)
            message.writeString(3, span.traceState)
            if let parent = span.parentSpanID, parent.isValid {
                message.writeSpanID(4, parent)
            }
            message.writeString(5, span.name)
            message.writeUInt64(6, UInt64(span.kind.rawValue))
            message.writeFixed64(7, span.startTimeUnixNano)
            message.writeFixed64(8, span.endTimeUnixNano)
            message.writeAttributes(9, span.attributes)
            message.writeUInt64(10, UInt64(span.droppedAttributesCount))
            for event in span.events {
                // Span.Event: time_unix_nano = 1, name = 2, attributes = 3, dropped_attributes_count = 4
                message.writeMessage(11) { eventMessage in
                    eventMessage.writeFixed64(1, event.timeUnixNano)
                    eventMessage.writeString(2, event.name)
                    eventMessage.writeAttributes(3, event.attributes)
                    eventMessage.writeUInt64(4, UInt64(event.droppedAttributesCount))
                }
            }
            message.writeUInt64(12, UInt64(span.droppedEventsCount))
            for link in span.links {
                // Span.Link: trace_id = 1, span_id = 2, trace_state = 3, attributes = 4,
                // dropped_attributes_count = 5, flags = 6 (fixed32)
                message.writeMessage(13) { linkMessage in
                    linkMessage.writeTraceID(1, link.traceID)
                    linkMessage.writeSpanID(2, link.spanID)
                    linkMessage.writeString(3, link.traceState)
                    linkMessage.writeAttributes(4, link.attributes)
                    linkMessage.writeUInt64(5, UInt64(link.droppedAttributesCount))
                    linkMessage.writeFixed32(6, link.flags)
                }
            }
            message.writeUInt64(14, UInt64(span.droppedLinksCount))
            if span.status != .unset {
                // Status: message = 2, code = 3
                message.writeMessage(15) { status in
                    status.writeString(2, span.status.message)
                    status.writeUInt64(3, UInt64(span.status.code.rawValue))
                }
            }
            message.writeFixed32(16, span.flags)
        }
    }
}
