/// How to reach and authenticate to the partner bank.
public struct BankClientConfiguration: Sendable {
    /// How requests prove who we are.
    public enum Authentication: Sendable {
        /// OAuth2 client credentials: a bearer token from `tokenURL`, cached and refreshed before it expires.
        case oauth2(tokenURL: String, clientID: String, clientSecret: String)
        /// A static key in `X-API-Key`.
        case apiKey(String)
        /// Mutual TLS: the client certificate chain and private key (PEM files) prove who we are; no header is sent.
        /// `caPath` is a PEM file of the CA certificates that sign the bank's server certificate (`nil`: the system
        /// trust roots). The `HTTPClient` given to ``HTTPBankClient`` must present the certificate: build it with
        /// ``BankTLS/makeHTTPClient(configuration:)``.
        case mtls(certificatePath: String, privateKeyPath: String, caPath: String?)
    }

    /// The bank's API root, such as `https://bank.example/api` (no trailing slash).
    public var baseURL: String
    /// How requests authenticate.
    public var authentication: Authentication
    /// Longest wait for a TCP (and TLS) connection.
    public var connectTimeout: Duration
    /// Longest wait for a whole request and its response.
    public var requestTimeout: Duration
    /// Refresh a token this long before the bank says it expires.
    public var tokenRefreshMargin: Duration

    /// Creates a configuration.
    public init(
        baseURL: String, authentication: Authentication, connectTimeout: Duration = .seconds(2),
        requestTimeout: Duration = .seconds(10), tokenRefreshMargin: Duration = .seconds(30)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.authentication = authentication
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.tokenRefreshMargin = tokenRefreshMargin
    }
}
