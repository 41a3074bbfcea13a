/// An ABA routing transit number: nine digits whose weighted sum (3, 7, 1 repeating) is a multiple of ten.
public struct RoutingNumber: Sendable, Hashable, CustomStringConvertible {
    /// The nine digits.
    public let digits: String

    /// Validates length, digits and checksum; `nil` when any fails.
    public init?(_ text: String) {
        let values = text.utf8.map { Int($0) - 48 }
        guard values.count == 9, values.allSatisfy({ (0...9).contains($0) }) else { return nil }
        let weights = [3, 7, 1, 3, 7, 1, 3, 7, 1]
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        guard sum % 10 == 0, sum > 0 else { return nil }
        self.digits = text
    }

    public var description: String { digits }
}
