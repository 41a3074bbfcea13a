/// Encodes telemetry into the OTLP collector request messages, in protobuf binary form, ready to POST as
/// `application/x-protobuf`.
///
/// Field numbers follow the official `opentelemetry-proto` definitions; items are grouped by resource and then by
/// instrumentation scope, as `ResourceSpans`/`ScopeSpans` (and the metrics and logs equivalents) require.
public enum OTLPProtobufEncoder {
    /// Encodes `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`.
    public static func exportTraceServiceRequest(_ spans: [OTLPSpanData]) -> [UInt8] {
        exportRequest(spans, bytesPerItem: 256, resource: \.resource, scope: \.scope) { $0.writeSpan(2, $1) }
    }

    /// Encodes `opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest`.
    public static func exportMetricsServiceRequest(_ metrics: [OTLPMetricData]) -> [UInt8] {
        exportRequest(metrics, bytesPerItem: 256, resource: \.resource, scope: \.scope) { $0.writeMetric(2, $1) }
    }

    /// Encodes `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest`.
    public static func exportLogsServiceRequest(_ records: [OTLPLogRecord]) -> [UInt8] {
        exportRequest(records, bytesPerItem: 192, resource: \.resource, scope: \.scope) { $0.writeLogRecord(2, $1) }
    }

    /// Encodes an `Export*ServiceRequest`: every signal's request has the same envelope, `resource_<signal>s = 1`
    /// of `Resource<Signal>s { resource = 1, scope_<signal>s = 2 }` of `Scope<Signal>s { scope = 1, items = 2 }`.
    static func exportRequest<Item>(
        _ items: [Item], bytesPerItem: Int, resource: (Item) -> OTLPResource,
        scope: (Item) -> OTLPInstrumentationScope, writeItem: (inout ProtobufWriter, Item) -> Void
    ) -> [UInt8] {
        var writer = ProtobufWriter(capacity: 64 + items.count * bytesPerItem)
        for (groupResource, scopes) in group(items, resource: resource, scope: scope) {
            writer.writeMessage(1) { resourceItems in
                resourceItems.writeResource(1, groupResource)
                for (groupScope, positions) in scopes {
                    resourceItems.writeMessage(2) { scopeItems in
                        scopeItems.writeScope(1, groupScope)
                        for position in positions { writeItem(&scopeItems, items[position]) }
                    }
                }
            }
        }
        return writer.bytes
    }

    /// Groups items by resource, then scope, keeping first-seen order.
    ///
    /// Resources are compared by a linear scan rather than hashed: a process has one resource shared by every item,
    /// and comparing arrays that share storage is immediate, whereas hashing would walk every attribute per item.
    static func group<Item>(
        _ items: [Item], resource: (Item) -> OTLPResource, scope: (Item) -> OTLPInstrumentationScope
    ) -> [(OTLPResource, [(OTLPInstrumentationScope, [Int])])] {
        typealias Group = (
            resource: OTLPResource, scopes: [(OTLPInstrumentationScope, [Int])],
            index: [OTLPInstrumentationScope: Int]
        )
        var groups: [Group] = []
        for (position, item) in items.enumerated() {
            let itemResource = resource(item)
            let groupIndex: Int
            if let existing = groups.firstIndex(where: { $0.resource == itemResource }) {
                groupIndex = existing
            } else {
                groups.append((itemResource, [], [:]))
                groupIndex = groups.count - 1
            }
            let itemScope = scope(item)
            if let scopeIndex = groups[groupIndex].index[itemScope] {
                groups[groupIndex].scopes[scopeIndex].1.append(position)
            } else {
                groups[groupIndex].index[itemScope] = groups[groupIndex].scopes.count
                groups[groupIndex].scopes.append((itemScope, [position]))
            }
        }
        return groups.map { ($0.resource, $0.scopes) }
    }
}

// Common messages: opentelemetry/proto/common/v1/common.proto and resource/v1/resource.proto.
extension ProtobufWriter {
    /// `Resource`: attributes = 1, dropped_attributes_count = 2.
    mutating func writeResource(_ field: Int, _ resource: OTLPResource) {
        writeMessage(field) { message in
            message.writeAttributes(1, resource.attributes)
            message.writeUInt64(2, UInt64(resource.droppedAttributesCount))
        }
    }

    /// `InstrumentationScope`: name = 1, version = 2, attributes = 3.
    mutating func writeScope(_ field: Int, _ scope: OTLPInstrumentationScope) {
        writeMessage(field) { message in
            message.writeString(1, scope.name)
            message.writeString(2, scope.version)
            message.writeAttributes(3, scope.attributes)
        }
    }

    /// `repeated KeyValue`: key = 1, value = 2.
    mutating func writeAttributes(_ field: Int, _ attributes: OTLPAttributes) {
        for (key, value) in attributes {
            writeMessage(field) { keyValue in
                keyValue.writeString(1, key)
                keyValue.writeAnyValue(2, value)
            }
        }
    }

    /// `AnyValue`: a oneof of string = 1, bool = 2, int = 3, double = 4, array = 5, kvlist = 6, bytes = 7.
    /// Members of a oneof are written even when they hold the default, or the decoder would see no value at all.
    mutating func writeAnyValue(_ field: Int, _ value: OTLPAttributeValue) {
        writeMessage(field) { any in
            switch value {
            case .string(let text): any.writeString(1, text, always: true)
            case .bool(let flag): any.writeBool(2, flag, always: true)
            case .int(let number): any.writeInt64(3, number, always: true)
            case .double(let number): any.writeDouble(4, number, always: true)
            case .array(let values):
                // ArrayValue: values = 1.
                any.writeMessage(5) { array in
                    for element in values { array.writeAnyValue(1, element) }
                }
            case .bytes(let bytes): any.writeBytes(7, bytes, always: true)
            }
        }
    }

    /// A 16-byte trace id as a `bytes` field, written without an intermediate array.
    mutating func writeTraceID(_ field: Int, _ id: TraceID) {
        writeTag(field, .lengthDelimited)
        writeVarint(16)
        withUnsafeBytes(of: id.high.bigEndian) { append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { append(contentsOf: $0) }
    }

    /// An 8-byte span id as a `bytes` field.
    mutating func writeSpanID(_ field: Int, _ id: SpanID) {
        writeTag(field, .lengthDelimited)
        writeVarint(8)
        withUnsafeBytes(of: id.rawValue.bigEndian) { append(contentsOf: $0) }
    }
}
