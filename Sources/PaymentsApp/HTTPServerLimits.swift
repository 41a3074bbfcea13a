/// Connection hygiene for the HTTP server (see `PaymentsAPI.ConnectionGuard`).
public struct HTTPServerLimits: Sendable, Hashable {
    /// A connection with no request in progress, including one still sending its request head, is closed after this
    /// long (`PAYMENTS_HTTP_IDLE_TIMEOUT_SECONDS`).
    public var idleTimeout: Duration
    /// A request body must arrive within this long of its head (`PAYMENTS_HTTP_BODY_TIMEOUT_SECONDS`).
    public var bodyTimeout: Duration
    /// Connections open at once; beyond, requests are answered `503` and their connections closed
    /// (`PAYMENTS_HTTP_MAX_CONNECTIONS`).
    public var maximumConnections: Int

    /// Creates limits.
    public init(idleTimeout: Duration, bodyTimeout: Duration, maximumConnections: Int) {
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maximumConnections = maximumConnections
    }

    /// Idle connections closed after 60 s, bodies within 30 s, 4,096 connections: well under the usual 20,000-file
    /// limit with the database pool and the bank's connections beside them.
    public static let `default` = HTTPServerLimits(
        idleTimeout: .seconds(60), bodyTimeout: .seconds(30), maximumConnections: 4096)
}
