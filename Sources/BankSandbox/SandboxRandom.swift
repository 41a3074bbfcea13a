import PaymentsSupport

/// The sandbox's randomness: identifiers and fault rolls, all from the system's cryptographically secure generator
/// (access tokens must not be guessable, even in a sandbox that someone might expose by mistake).
enum SandboxRandom {
    /// `count` random bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// `true` with probability `rate`. Exactly 0 never fires and exactly 1 always does, so tests can force a fault.
    static func chance(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        guard rate < 1 else { return true }
        var generator = SystemRandomNumberGenerator()
        return Double.random(in: 0..<1, using: &generator) < rate
    }

    /// A random element of a non-empty array.
    static func element<Element>(of elements: [Element]) -> Element {
        var generator = SystemRandomNumberGenerator()
        return elements.randomElement(using: &generator)!
    }

    /// An OAuth2 access token: 32 random bytes as lower-case hex.
    static func accessToken() -> String {
        Hex.encode(Self.bytes(32))
    }

    /// A bank reference: `BNK-` and 12 upper-case hex digits.
    static func bankReference() -> String {
        "BNK-" + Hex.encode(Self.bytes(6), uppercase: true)
    }

    /// A webhook event id: `evt_` and 32 lower-case hex digits.
    static func eventID() -> String {
        "evt_" + Hex.encode(Self.bytes(16))
    }
}
