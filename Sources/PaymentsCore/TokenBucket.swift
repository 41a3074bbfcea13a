/// A token bucket with no clock of its own: `burst` tokens at most, refilled at `rate` a second; each request takes
/// one.
public struct TokenBucket: Sendable, Hashable {
    /// The limit it enforces.
    public let limit: RateLimit
    private var tokens: Double
    private var refilled: ContinuousClock.Instant

    /// A full bucket at `now`.
    public init(limit: RateLimit, now: ContinuousClock.Instant) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.refilled = now
    }

    /// Takes a token: `nil` when there was one, otherwise how long until there will be.
    public mutating func take(now: ContinuousClock.Instant) -> Duration? {
        let elapsed = now - refilled
        if elapsed > .zero {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            tokens = min(Double(limit.burst), tokens + seconds * Double(limit.perSecond))
            refilled = now
        }
        guard tokens < 1 else {
            tokens -= 1
            return nil
        }
        return .milliseconds(Int64(((1 - tokens) / Double(limit.perSecond) * 1000).rounded(.up)))
    }
}

/// Requests a second and the burst allowed above that rate.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Sustained requests a second.
    public var perSecond: Int
    /// Requests allowed at once after a quiet spell.
    public var burst: Int

    /// Creates a limit.
    public init(perSecond: Int, burst: Int) {
        precondition(perSecond > 0 && burst > 0)
        self.perSecond = perSecond
        self.burst = burst
    }

    /// `rate/burst`, as the setting writes it.
    public var description: String { "\(perSecond)/\(burst)" }

    /// Reads `rate/burst` (or `rate`, with a burst of twice the rate).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let rate = Int(parts[0]), (1...1_000_000).contains(rate) else {
            return nil
        }
        let burst = parts.count == 2 ? Int(parts[1]) : rate * 2
        guard let burst, (1...1_000_000).contains(burst) else { return nil }
        self.init(perSecond: rate, burst: burst)
    }
}
