/// How a ``BankSandbox`` listens, whom it accepts, where it sends webhooks and which faults it injects.
///
/// Every value has a documented sandbox default, so `BankSandboxConfiguration.default` is a working bank on
/// `127.0.0.1:8081` that sends no webhooks. Tests pass their own values (port `0` for an ephemeral port, short delays).
public struct BankSandboxConfiguration: Sendable {
    /// The webhook signing secret used when none is configured. Shared with the orchestrator's embedded default so
    /// that `payments serve` with no configuration accepts its in-process sandbox's webhooks.
    public static let defaultWebhookSecret = "whsec_sandbox_5f2c9a"

    /// The address to listen on.
    public var host: String
    /// The TCP port to listen on; `0` asks the system for a free port (reported through `onListening`).
    public var port: Int
    /// Where signed webhooks are posted; `nil` sends none. Can also be set after start with
    /// ``BankSandbox/setWebhookURL(_:)``.
    public var webhookURL: String?
    /// The HMAC-SHA256 webhook signing secret. A comma-separated list means a rotation is in progress; the sandbox
    /// signs with the first entry.
    public var webhookSecret: String
    /// The OAuth2 client id accepted by `POST /oauth/token`.
    public var clientID: String
    /// The OAuth2 client secret accepted by `POST /oauth/token`.
    public var clientSecret: String
    /// The key accepted in the `X-API-Key` header (the bank's api_key auth mode).
    public var apiKey: String
    /// The faults injected from start-up; change them at run time with ``BankSandbox/setFaults(_:)`` or
    /// `POST /sandbox/faults`.
    public var faults: SandboxFaults
    /// Time from acceptance until the payment is `processing` (and its `processing` webhook is sent).
    public var processingDelay: Duration
    /// Time from `processing` until the payment settles as `completed` or `returned`.
    public var settlementDelay: Duration
    /// Serve HTTPS with this certificate (and, when ``SandboxFaults/requireClientCert`` is set at start-up, demand a
    /// client certificate signed by its client CA, which then authenticates bank API calls in place of a token or API
    /// key: the bank's `mtls` mode); `nil` serves plain HTTP.
    public var tls: TLS?
    /// The sandbox's time; tests move it forward to expire tokens or settle payments without waiting.
    public var clock: SandboxClock
    /// Fixes every chance the sandbox takes and every reference it makes, for a simulation that must replay from a
    /// seed; `nil` (the default) for the system's generator.
    public var randomSeed: UInt64?

    /// The documented sandbox values: `127.0.0.1:8081`, no webhooks, client `sandbox-client` / `sandbox-secret`,
    /// API key `sandbox-api-key`, no faults, 100 ms to processing and 300 ms more to settlement.
    public static let `default` = BankSandboxConfiguration()

    /// Creates a configuration; every parameter defaults to the documented sandbox value.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8081,
        webhookURL: String? = nil,
        webhookSecret: String = BankSandboxConfiguration.defaultWebhookSecret,
        clientID: String = "sandbox-client",
        clientSecret: String = "sandbox-secret",
        apiKey: String = "sandbox-api-key",
        faults: SandboxFaults = .none,
        processingDelay: Duration = .milliseconds(100),
        settlementDelay: Duration = .milliseconds(300),
        tls: TLS? = nil,
        clock: SandboxClock = SandboxClock(),
        randomSeed: UInt64? = nil
    ) {
        self.host = host
        self.port = port
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.apiKey = apiKey
        self.faults = faults
        self.processingDelay = processingDelay
        self.settlementDelay = settlementDelay
        self.tls = tls
        self.clock = clock
        self.randomSeed = randomSeed
    }
}

extension BankSandboxConfiguration: CustomStringConvertible {
    /// A summary safe to log: secrets, the API key and the webhook URL (which may carry credentials) are left out.
    public var description: String {
        "BankSandboxConfiguration(host: \(self.host), port: \(self.port), "
            + "webhooks: \(self.webhookURL == nil ? "off" : "on"), clientID: \(self.clientID), "
            + "processingDelay: \(self.processingDelay), settlementDelay: \(self.settlementDelay), "
            + "tls: \(self.tls.map { "\($0)" } ?? "off"), faults: \(self.faults))"
    }
}
