import Tracing

/// A span attribute value in the plain shape exporters need (OTLP `AnyValue`), without swift-distributed-tracing's
/// `CustomStringConvertible` cases.
public enum SpanAttributeValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// A 64-bit integer.
    case int(Int64)
    /// A double.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// An array of strings.
    case stringArray([String])
    /// An array of integers.
    case intArray([Int64])
    /// An array of doubles.
    case doubleArray([Double])
    /// An array of booleans.
    case boolArray([Bool])

    /// Converts a swift-distributed-tracing attribute; string-convertible values become their description.
    public init(_ attribute: SpanAttribute) {
        switch attribute {
        case .int32(let value): self = .int(Int64(value))
        case .int64(let value): self = .int(value)
        case .int32Array(let values): self = .intArray(values.map(Int64.init))
        case .int64Array(let values): self = .intArray(values)
        case .double(let value): self = .double(value)
        case .doubleArray(let values): self = .doubleArray(values)
        case .bool(let value): self = .bool(value)
        case .boolArray(let values): self = .boolArray(values)
        case .string(let value): self = .string(value)
        case .stringArray(let values): self = .stringArray(values)
        case .stringConvertible(let value): self = .string(value.description)
        case .stringConvertibleArray(let values): self = .stringArray(values.map(\.description))
        default: self = .string("\(attribute)")
        }
    }

    /// Converts a whole attribute set.
    public static func dictionary(from attributes: SpanAttributes) -> [String: SpanAttributeValue] {
        var result: [String: SpanAttributeValue] = [:]
        result.reserveCapacity(attributes.count)
        // swift-format-ignore: ReplaceForEachWithForLoop
        attributes.forEach { key, value in result[key] = SpanAttributeValue(value) }
        return result
    }
}
