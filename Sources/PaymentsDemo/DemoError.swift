/// Why a demo run could not start: the server cannot be reached, is not healthy, refuses the API key, or does not
/// answer like the payments API. Each description is one line that names the server (without credentials) and never
/// the API key.
public struct DemoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// No HTTP answer from `/healthz`: connection refused, host unknown, timeout.
        case unreachable(reason: String)
        /// `/healthz` answered something other than `200`.
        case unhealthy(status: Int)
        /// `GET /v1/payments` answered `401`.
        case unauthorized
        /// `GET /v1/payments` answered something the payments API never does to a valid key.
        case unexpectedResponse(request: String, status: Int)
    }

    /// What went wrong.
    public let kind: Kind
    /// The server, as shown to users.
    public let url: String

    /// Creates the error.
    public init(_ kind: Kind, url: String) {
        self.kind = kind
        self.url = url
    }

    public var description: String {
        switch kind {
        case .unreachable(let reason):
            "cannot reach the payments server at \(url): \(reason)"
        case .unhealthy(let status):
            "the payments server at \(url) is not healthy: GET /healthz answered HTTP \(status)"
        case .unauthorized:
            "the payments server at \(url) refused the API key (HTTP 401): check --api-key or PAYMENTS_API_KEY"
        case .unexpectedResponse(let request, let status):
            "\(request) at \(url) answered HTTP \(status): is this the payments API?"
        }
    }
}
