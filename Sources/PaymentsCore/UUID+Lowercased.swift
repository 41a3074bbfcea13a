import Foundation

extension UUID {
    /// The lower-case text form used on the wire and in storage (`6f1c…`), as RFC 9562 recommends.
    public var lowercased: String { uuidString.lowercased() }
}
