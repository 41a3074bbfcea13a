/// One problem with one field of a request, located by an RFC 6901 JSON Pointer.
public struct FieldError: Sendable, Hashable, Codable {
    /// Where the problem is, such as `/recipient/routing_number`; empty for the whole document.
    public var pointer: String
    /// What is wrong, phrased for the client developer. Never echoes the value itself.
    public var detail: String

    /// Creates a field error.
    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }
}

/// A request that failed validation, with every field at fault.
public struct ValidationError: Error, Sendable, Hashable {
    /// The problems found, in document order.
    public var errors: [FieldError]

    /// Creates a validation error.
    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}
