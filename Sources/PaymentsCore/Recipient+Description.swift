// Interpolating a recipient into a log line or an error must never leak the account number.
extension Recipient: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { String(describing: masked) }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(reflecting: masked) }
}
