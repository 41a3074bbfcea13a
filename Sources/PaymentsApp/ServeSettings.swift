import BankSandbox
import Logging
import PaymentsCore
import PaymentsSupport

/// Every environment variable `payments serve` reads, declared once (the `OTEL_*` variables are the telemetry
/// runtime's, the `SANDBOX_*` faults the sandbox's).
public enum ServeSettings {
    /// `PAYMENTS_HOST`
    public static let host = Setting<String>.text("PAYMENTS_HOST")
    /// `PAYMENTS_PORT`
    public static let port = Setting<Int>.integer("PAYMENTS_PORT", in: 0...65535)
    /// `DATABASE_URL`
    public static let databaseURL = Setting<ServeConfiguration.Database>(
        "DATABASE_URL", expecting: "sqlite:PATH or a postgres://user:password@host:port/database URL", isSecret: true
    ) { try? ServeConfiguration.parseDatabase($0, setting: "DATABASE_URL") }
    /// `PAYMENTS_API_KEYS`: `client_id:key,…`.
    public static let apiKeys = Setting<String>.text("PAYMENTS_API_KEYS", isSecret: true)
    /// `BANK_BASE_URL`: the bank's API root, or `sandbox` for the bank sandbox in this process.
    public static let bankBaseURL = Setting<BankTarget>(
        "BANK_BASE_URL", expecting: "an absolute http or https URL, or sandbox"
    ) { text in
        text.lowercased() == "sandbox"
            ? .sandbox : (try? Setting<String>.url("BANK_BASE_URL").parse(text)).map(BankTarget.url)
    }
    /// `BANK_AUTH`
    public static let bankAuth = Setting<BankAuthentication>.choice(
        "BANK_AUTH", [("oauth2", .oauth2), ("mtls", .mtls), ("api_key", .apiKey)]
    )
    /// `BANK_TOKEN_URL`
    public static let bankTokenURL = Setting<String>.url("BANK_TOKEN_URL")
    // The bank's credentials are the variables the sandbox reads as the credentials it accepts, by design: one
    // environment configures both ends.
    /// `BANK_CLIENT_ID`
    public static let bankClientID = SandboxSettings.clientID
    /// `BANK_CLIENT_SECRET`
    public static let bankClientSecret = SandboxSettings.clientSecret
    /// `BANK_API_KEY`
    public static let bankAPIKey = SandboxSettings.apiKey
    /// `BANK_TLS_CERT`
    public static let bankTLSCertificate = Setting<String>.readableFile("BANK_TLS_CERT")
    /// `BANK_TLS_KEY`
    public static let bankTLSKey = Setting<String>.readableFile("BANK_TLS_KEY")
    /// `BANK_TLS_CA`
    public static let bankTLSCA = Setting<String>.readableFile("BANK_TLS_CA")
    /// `BANK_WEBHOOK_SECRET`: comma-separated during a rotation.
    public static let webhookSecrets = Setting<[String]>(
        "BANK_WEBHOOK_SECRET", expecting: "a comma-separated list of secrets", isSecret: true
    ) {
        let secrets = $0.split(separator: ",").map { String($0.trimmingASCIIWhitespace()) }.filter { !$0.isEmpty }
        return secrets.isEmpty ? nil : secrets
    }
    /// `ERP_WEBHOOK_URL`: the deployment's ERP, told of every client's settled and corrected payments.
    public static let erpWebhookURL = Setting<String>.url("ERP_WEBHOOK_URL")
    /// `ERP_WEBHOOK_SECRET`: signs what is posted to `ERP_WEBHOOK_URL`, as client endpoints' secrets do.
    public static let erpWebhookSecret = Setting<String>.text("ERP_WEBHOOK_SECRET", isSecret: true)
    /// `LOG_LEVEL`
    public static let logLevel = Setting<Logger.Level>.choice(
        "LOG_LEVEL", Logger.Level.allCases.map { ($0.rawValue, $0) }
    )
    /// `PAYMENTS_WORKER_CONCURRENCY`: jobs at once in this process; 0 is an API-only instance.
    public static let workerConcurrency = Setting<Int>.integer("PAYMENTS_WORKER_CONCURRENCY", in: 0...256)
    /// `PAYMENTS_JOB_LEASE_SECONDS`: a lease must outlast the longest job (a bank call with its timeout), or a slow
    /// job could run twice.
    public static let jobLease = Setting<Duration>.seconds("PAYMENTS_JOB_LEASE_SECONDS", in: 12...3600)
    /// `PAYMENTS_JOB_RETENTION_SECONDS`: how long a finished job stays in the queue's table for inspection.
    public static let jobRetention = Setting<Duration>.seconds("PAYMENTS_JOB_RETENTION_SECONDS", in: 60...31_536_000)

    /// `PAYMENTS_SUBMIT_RETRY_WINDOW_SECONDS`: how long a submission is retried before the bank is asked whether it
    /// has the payment.
    public static let submitRetryWindow = Setting<Duration>.seconds(
        "PAYMENTS_SUBMIT_RETRY_WINDOW_SECONDS", in: 1...604_800)
    /// `PAYMENTS_RECONCILE_INTERVAL_SECONDS`: how often reconciliation runs.
    public static let reconcileInterval = Setting<Duration>.seconds(
        "PAYMENTS_RECONCILE_INTERVAL_SECONDS", in: 1...86_400)
    /// `PAYMENTS_RECONCILE_STUCK_AFTER_SECONDS`: the age at which an open payment is asked about.
    public static let reconcileStuckAfter = Setting<Duration>.seconds(
        "PAYMENTS_RECONCILE_STUCK_AFTER_SECONDS", in: 1...604_800)
    /// `PAYMENTS_RECONCILE_MAX_CALLS_PER_SECOND`: the cap on reconciliation's calls to the bank.
    public static let reconcileMaxCallsPerSecond = Setting<Int>.integer(
        "PAYMENTS_RECONCILE_MAX_CALLS_PER_SECOND", in: 1...1000)
    /// `PAYMENTS_HTTP_IDLE_TIMEOUT_SECONDS`: how long a connection may sit with no request in progress.
    public static let httpIdleTimeout = Setting<Duration>.seconds("PAYMENTS_HTTP_IDLE_TIMEOUT_SECONDS", in: 1...3600)
    /// `PAYMENTS_HTTP_BODY_TIMEOUT_SECONDS`: how long a request body may take to arrive.
    public static let httpBodyTimeout = Setting<Duration>.seconds("PAYMENTS_HTTP_BODY_TIMEOUT_SECONDS", in: 1...3600)
    /// `PAYMENTS_HTTP_MAX_CONNECTIONS`: connections open at once.
    public static let httpMaxConnections = Setting<Int>.integer("PAYMENTS_HTTP_MAX_CONNECTIONS", in: 16...1_000_000)
    /// `PAYMENTS_RATE_LIMITS`: requests a second and burst per client, `default=100/200,acme=50/100`.
    public static let rateLimits = Setting<ClientRateLimits>(
        "PAYMENTS_RATE_LIMITS", expecting: "client=rate/burst entries, comma-separated (default= for the others)"
    ) { ClientRateLimits($0) }
    /// `PAYMENTS_DATA_KEYS`: the keys that seal recipient identifiers, `key_id:base64,…,index:base64`.
    public static let dataKeys = Setting<String>.text("PAYMENTS_DATA_KEYS", isSecret: true)
    /// `PAYMENTS_DATA_KEYS_FILE`: the same entries in a file, one per line.
    public static let dataKeysFile = Setting<String>.readableFile("PAYMENTS_DATA_KEYS_FILE")
    /// `PAYMENTS_ACCOUNT_RETENTION_SECONDS`: how long after its return window closes a settled payment keeps its
    /// sealed account number.
    public static let accountRetention = Setting<Duration>.seconds(
        "PAYMENTS_ACCOUNT_RETENTION_SECONDS", in: 1...315_360_000)
    /// `PAYMENTS_RETURN_WINDOW_SECONDS`: how long after completion a return may come (and reconciliation looks).
    public static let returnWindow = Setting<Duration>.seconds("PAYMENTS_RETURN_WINDOW_SECONDS", in: 1...7_776_000)

    /// `CLIENT_WEBHOOK_ALLOW_PRIVATE`: lets client endpoints be `http` and private, loopback or link-local addresses
    /// (development and tests; on by default only on the embedded default).
    public static let clientWebhookAllowPrivate = Setting<Bool>.flag("CLIENT_WEBHOOK_ALLOW_PRIVATE")
    /// `CLIENT_WEBHOOK_RETRY_WINDOW_SECONDS`: how long a delivery is retried, and how long an endpoint may fail before
    /// it is disabled.
    public static let clientWebhookRetryWindow = Setting<Duration>.seconds(
        "CLIENT_WEBHOOK_RETRY_WINDOW_SECONDS", in: 1...2_592_000)
    /// `CLIENT_WEBHOOK_SECRET_OVERLAP_SECONDS`: how long the secret before a rotation keeps signing.
    public static let clientWebhookSecretOverlap = Setting<Duration>.seconds(
        "CLIENT_WEBHOOK_SECRET_OVERLAP_SECONDS", in: 0...2_592_000)
    /// `CLIENT_WEBHOOK_TIMEOUT_SECONDS`: how long one delivery may take.
    public static let clientWebhookTimeout = Setting<Duration>.seconds("CLIENT_WEBHOOK_TIMEOUT_SECONDS", in: 1...60)
    /// `CLIENT_WEBHOOK_CONCURRENCY`: deliveries at once in this process; 0 leaves them to other instances.
    public static let clientWebhookConcurrency = Setting<Int>.integer("CLIENT_WEBHOOK_CONCURRENCY", in: 0...1024)
    /// `CLIENT_WEBHOOK_ENDPOINT_CONCURRENCY`: deliveries at once to one endpoint, from this process.
    public static let clientWebhookEndpointConcurrency = Setting<Int>.integer(
        "CLIENT_WEBHOOK_ENDPOINT_CONCURRENCY", in: 1...64)
    /// `PAYMENTS_EVENT_RETENTION_SECONDS`: how long events stay in the feed.
    public static let eventRetention = Setting<Duration>.seconds(
        "PAYMENTS_EVENT_RETENTION_SECONDS", in: 3600...31_536_000)

    /// Where `payments serve` sends payments.
    public enum BankTarget: Sendable, Hashable {
        /// The bank sandbox in this process: no money moves.
        case sandbox
        /// A bank's API root.
        case url(String)
    }

    /// How `payments serve` authenticates to the bank.
    public enum BankAuthentication: String, Sendable {
        case oauth2
        case mtls
        case apiKey = "api_key"
    }

    /// The settings of `payments serve` and `payments migrate`, for the reference documentation.
    public static let all: [any SettingDescription] = [
        host, port, databaseURL, apiKeys, bankBaseURL, bankAuth, bankTokenURL, bankClientID, bankClientSecret,
        bankAPIKey, bankTLSCertificate, bankTLSKey, bankTLSCA, webhookSecrets, erpWebhookURL, erpWebhookSecret,
        logLevel,
        workerConcurrency, jobLease, jobRetention, submitRetryWindow, reconcileInterval, reconcileStuckAfter,
        reconcileMaxCallsPerSecond, returnWindow, httpIdleTimeout, httpBodyTimeout, httpMaxConnections,
        rateLimits, dataKeys, dataKeysFile, accountRetention, clientWebhookAllowPrivate, clientWebhookRetryWindow,
        clientWebhookSecretOverlap, clientWebhookTimeout, clientWebhookConcurrency, clientWebhookEndpointConcurrency,
        eventRetention,
    ]
}
