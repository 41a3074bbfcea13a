/// The value of an OTLP attribute or log body (`opentelemetry.proto.common.v1.AnyValue`).
///
/// Literals make attribute lists read naturally:
public enum OTLPAttributeValue: Sendable, Hashable {
    /// A UTF-8 string.
    case string(String)
    /// A boolean.
    case bool(Bool)
    /// A signed 64-bit integer.
    case int(Int64)
    /// A double-precision float.
    case double(Double)
    /// A homogeneous or mixed array of values.
    case array([OTLPAttributeValue])
    /// Raw bytes.
    case bytes([UInt8])
}

extension OTLPAttributeValue: ExpressibleByStringLiteral {
    /// Creates a `.string` value from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension OTLPAttributeValue: ExpressibleByIntegerLiteral {
    /// Creates an `.int` value from a literal.
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension OTLPAttributeValue: ExpressibleByFloatLiteral {
    /// Creates a `.double` value from a literal.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension OTLPAttributeValue: ExpressibleByBooleanLiteral {
    /// Creates a `.bool` value from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension OTLPAttributeValue: ExpressibleByArrayLiteral {
    /// Creates an `.array` value from a literal.
    public init(arrayLiteral elements: OTLPAttributeValue...) { self = .array(elements) }
}
