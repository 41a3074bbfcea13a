/// A generator that draws from a closure: lets a type keep a `Sendable` source of numbers (the system's, or a
/// simulation's seeded one) and still call APIs that take `inout some RandomNumberGenerator`.
public struct ClosureRandomNumberGenerator: RandomNumberGenerator {
    private let draw: () -> UInt64

    /// A generator whose numbers are `next`'s.
    public init(next: @escaping () -> UInt64) {
        draw = next
    }

    public mutating func next() -> UInt64 {
        draw()
    }
}
