import PaymentsSupport

/// The rate limit of each client of the API: a default, and overrides by client id.
public struct ClientRateLimits: Sendable, Hashable {
    /// For clients without an override.
    public var standard: RateLimit
    /// By client id.
    public var perClient: [String: RateLimit]

    /// Creates limits.
    public init(standard: RateLimit, perClient: [String: RateLimit] = [:]) {
        self.standard = standard
        self.perClient = perClient
    }

    /// 100 requests a second with bursts of 200, for every client.
    public static let `default` = ClientRateLimits(standard: RateLimit(perSecond: 100, burst: 200))

    /// The limit of `client`.
    public func limit(for client: String) -> RateLimit {
        perClient[client] ?? standard
    }

    /// Reads `default=100/200,acme=50/100` (entries `client=rate/burst`, `default` for the others); entries not given
    /// keep ``default``'s. `nil` for anything else.
    public init?(_ text: String) {
        self = .default
        for entry in text.split(separator: ",") {
            let pair = entry.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let limit = RateLimit(pair[1].trimmingASCIIWhitespace()) else { return nil }
            let client = String(pair[0].trimmingASCIIWhitespace())
            guard !client.isEmpty else { return nil }
            if client == "default" { standard = limit } else { perClient[client] = limit }
        }
    }
}
