/// An ordered list of attributes with unique keys (OTLP's `repeated KeyValue`).
///
/// Order is kept so that encoding is deterministic; setting an existing key replaces its value, because OTLP
/// requires keys to be unique.
public struct OTLPAttributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One attribute.
    public typealias Element = (key: String, value: OTLPAttributeValue)

    // Two parallel arrays rather than an array of tuples, so that the type is Hashable for free.
    private var keys: [String]
    private var values: [OTLPAttributeValue]

    /// Creates an empty list.
    public init() {
        keys = []
        values = []
    }

    /// Creates a list from `(key, value)` pairs; a later duplicate key replaces the earlier value.
    public init(_ elements: some Sequence<(String, OTLPAttributeValue)>) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }

    /// Creates a list from a dictionary literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, OTLPAttributeValue)...) {
        self.init(elements)
    }

    /// The number of attributes.
    public var count: Int { keys.count }

    /// Whether there are no attributes.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value for `key`; setting `nil` removes the attribute.
    public subscript(key: String) -> OTLPAttributeValue? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Iterates the attributes in insertion order.
    public func makeIterator() -> some IteratorProtocol<Element> {
        zip(keys, values).lazy.map { (key: $0.0, value: $0.1) }.makeIterator()
    }
}
