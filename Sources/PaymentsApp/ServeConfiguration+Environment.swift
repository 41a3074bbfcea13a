import BankClient
import BankSandbox
import Foundation
import PaymentsCore
import PaymentsOrchestrator
import PaymentsSupport

extension ServeConfiguration {
    /// Flags given on the command line; each wins over its environment variable.
    public struct Overrides: Sendable {
        public var host: String?
        public var port: Int?
        public var databaseURL: String?
        public var migrateOnStart: Bool?

        /// Creates overrides.
        public init(host: String? = nil, port: Int? = nil, databaseURL: String? = nil, migrateOnStart: Bool? = nil) {
            self.host = host
            self.port = port
            self.databaseURL = databaseURL
            self.migrateOnStart = migrateOnStart
        }
    }

    /// The result of reading the environment: the configuration, and the sandbox API key when one was generated
    /// (the embedded default with no `PAYMENTS_API_KEYS`), to be shown to the user once.
    public struct Loaded: Sendable {
        public var configuration: ServeConfiguration
        public var generatedAPIKey: (clientID: String, key: String)?
        /// The key file this start created beside the SQLite database, to be announced once.
        public var createdKeyFile: String?
    }

    /// Reads the ``ServeSettings`` (and the sandbox's faults, for the embedded default).
    ///
    /// - Throws: ``PaymentsSupport/ConfigurationError`` naming the first bad setting; no value is ever part of it.
    public static func load(environment: Environment, overrides: Overrides = .init()) throws(ConfigurationError)
        -> Loaded
    {
        var host = try environment.value(ServeSettings.host, default: "127.0.0.1")
        if let flag = overrides.host { host = flag }
        guard !host.isEmpty else { throw ConfigurationError(setting: "--host", reason: "must not be empty") }

        let port: Int
        if let flag = overrides.port {
            port = try ServeSettings.port.parse(String(flag), as: "--port")
        } else {
            port = try environment.value(ServeSettings.port, default: 8080)
        }

        let database = try database(environment: environment, flag: overrides.databaseURL)

        // The sandbox settles payments no money backs, so it runs only by choice: the embedded default (no client
        // keys configured) or BANK_BASE_URL=sandbox. Keys without a bank are a deployment that forgot its bank.
        let configuredKeys = try environment.value(ServeSettings.apiKeys)
        let target = try environment.value(ServeSettings.bankBaseURL)
        if configuredKeys != nil, target == nil {
            throw ConfigurationError(
                setting: ServeSettings.bankBaseURL.variable,
                reason: "is required when PAYMENTS_API_KEYS is set: the bank's URL, or sandbox for the built-in sandbox"
            )
        }
        var generatedKey: (String, String)?
        let apiKeys: APIKeyRegistry
        if let configuredKeys {
            apiKeys = try APIKeyRegistry.parse(configuredKeys)
        } else if target == nil || target == .sandbox {
            let key = "sk_sandbox_" + Hex.encode(SecureRandom.bytes(24))
            generatedKey = ("sandbox", key)
            apiKeys = APIKeyRegistry(clients: [APIClient(id: "sandbox", key: key)])
        } else {
            throw ConfigurationError(
                setting: ServeSettings.apiKeys.variable, reason: "is required when BANK_BASE_URL is a bank's URL")
        }

        let secrets = try environment.value(ServeSettings.webhookSecrets) ?? []
        let bank: Bank
        let webhookSecrets: [String]
        if case .url(let bankBaseURL) = target {
            guard !secrets.isEmpty else {
                throw ConfigurationError(
                    setting: ServeSettings.webhookSecrets.variable, reason: "is required when BANK_BASE_URL is set"
                )
            }
            webhookSecrets = secrets
            bank = .remote(try bankClientConfiguration(baseURL: bankBaseURL, environment: environment))
        } else {
            var sandbox = BankSandboxConfiguration.default
            sandbox.port = 0
            if let first = secrets.first { sandbox.webhookSecret = first }
            sandbox.faults = try SandboxFaults(environment: environment, base: sandbox.faults)
            webhookSecrets = secrets.isEmpty ? [sandbox.webhookSecret] : secrets
            bank = .embeddedSandbox(sandbox)
        }

        var worker = JobWorkerConfiguration.default
        if let concurrency = try environment.value(ServeSettings.workerConcurrency) {
            // 0 is an API-only instance (client API and webhook receiver; the queue is worked by other instances),
            // which only a shared database makes sense of: on SQLite nothing else could ever work the queue.
            if concurrency == 0, case .sqlite = database {
                throw ConfigurationError(
                    setting: ServeSettings.workerConcurrency.variable,
                    reason: "0 (no workers) needs a PostgreSQL DATABASE_URL"
                )
            }
            worker.concurrency = concurrency
        }
        worker.lease = try environment.value(ServeSettings.jobLease, default: worker.lease)
        worker.retention = try environment.value(ServeSettings.jobRetention, default: worker.retention)
        worker.submitRetry.window = try environment.value(
            ServeSettings.submitRetryWindow, default: worker.submitRetry.window)
        let reconciler = try reconciler(environment: environment)
        var http = HTTPServerLimits.default
        http.idleTimeout = try environment.value(ServeSettings.httpIdleTimeout, default: http.idleTimeout)
        http.bodyTimeout = try environment.value(ServeSettings.httpBodyTimeout, default: http.bodyTimeout)
        http.maximumConnections = try environment.value(
            ServeSettings.httpMaxConnections, default: http.maximumConnections)

        let dataKeys = try DataKeys.load(environment: environment, database: database)
        // The embedded default runs on one machine with loopback endpoints; anything else must opt in.
        var embeddedDefault = false
        if case .sqlite = database, case .embeddedSandbox = bank { embeddedDefault = true }
        let notifications = try notifications(environment: environment, embeddedDefault: embeddedDefault)
        // The ERP hears of settlements for as long as client endpoints would.
        worker.erpRetry.window = notifications.retry.window
        let erpWebhookURL = try environment.value(ServeSettings.erpWebhookURL)
        let erpWebhookSecret = try environment.value(ServeSettings.erpWebhookSecret)
        if erpWebhookURL != nil, erpWebhookSecret == nil {
            throw ConfigurationError(
                setting: ServeSettings.erpWebhookSecret.variable,
                reason: "is required when ERP_WEBHOOK_URL is set: what is posted there is signed with it")
        }
        let configuration = ServeConfiguration(
            host: host, port: port, database: database, migrateOnStart: overrides.migrateOnStart ?? true,
            apiKeys: apiKeys, bank: bank, webhookSecrets: webhookSecrets,
            erpWebhookURL: erpWebhookURL, erpWebhookSecret: erpWebhookSecret, worker: worker,
            reconciler: reconciler, http: http,
            rateLimits: try environment.value(ServeSettings.rateLimits, default: .default), dataKeys: dataKeys.ring,
            accountRetention: try environment.value(
                ServeSettings.accountRetention, default: ServeConfiguration.defaultAccountRetention),
            notifications: notifications
        )
        return Loaded(configuration: configuration, generatedAPIKey: generatedKey, createdKeyFile: dataKeys.createdFile)
    }

    /// The database: `flag` (`--database-url`) when given, else `DATABASE_URL`, else the embedded default's SQLite
    /// file.
    public static func database(environment: Environment, flag: String?) throws(ConfigurationError) -> Database {
        if let flag { return try parseDatabase(flag, setting: "--database-url") }
        return try environment.value(ServeSettings.databaseURL, default: .sqlite(path: "./data/payments.sqlite"))
    }

    /// Client webhook delivery's settings.
    public static func notifications(
        environment: Environment, embeddedDefault: Bool
    ) throws(ConfigurationError) -> ClientWebhookConfiguration {
        var notifications = ClientWebhookConfiguration()
        notifications.targets = WebhookTargetPolicy(
            allowPrivate: try environment.value(ServeSettings.clientWebhookAllowPrivate, default: embeddedDefault))
        notifications.retry.window = try environment.value(
            ServeSettings.clientWebhookRetryWindow, default: notifications.retry.window)
        notifications.secretOverlap = try environment.value(
            ServeSettings.clientWebhookSecretOverlap, default: notifications.secretOverlap)
        notifications.timeout = try environment.value(
            ServeSettings.clientWebhookTimeout, default: notifications.timeout)
        notifications.concurrency = try environment.value(
            ServeSettings.clientWebhookConcurrency, default: notifications.concurrency)
        notifications.perEndpointConcurrency = try environment.value(
            ServeSettings.clientWebhookEndpointConcurrency, default: notifications.perEndpointConcurrency)
        notifications.eventRetention = try environment.value(
            ServeSettings.eventRetention, default: notifications.eventRetention)
        return notifications
    }

    /// Reconciliation's settings.
    public static func reconciler(environment: Environment) throws(ConfigurationError) -> ReconcilerConfiguration {
        var reconciler = ReconcilerConfiguration()
        reconciler.interval = try environment.value(ServeSettings.reconcileInterval, default: reconciler.interval)
        reconciler.stuckAfter = try environment.value(ServeSettings.reconcileStuckAfter, default: reconciler.stuckAfter)
        reconciler.returnWindow = try environment.value(ServeSettings.returnWindow, default: reconciler.returnWindow)
        reconciler.maxCallsPerSecond = Double(
            try environment.value(ServeSettings.reconcileMaxCallsPerSecond, default: Int(reconciler.maxCallsPerSecond)))
        return reconciler
    }

    /// The bank's client configuration when `BANK_BASE_URL` names a bank; `nil` for the sandbox or when unset.
    public static func remoteBank(environment: Environment) throws(ConfigurationError) -> BankClientConfiguration? {
        guard case .url(let baseURL)? = try environment.value(ServeSettings.bankBaseURL) else { return nil }
        return try bankClientConfiguration(baseURL: baseURL, environment: environment)
    }

    /// Parses `sqlite:PATH` or `postgres://user:pass@host:port/db`.
    public static func parseDatabase(_ text: String, setting: String) throws(ConfigurationError) -> Database {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ConfigurationError(setting: setting, reason: "sqlite: needs a file path") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let url = URL(string: text), url.host != nil else {
                throw ConfigurationError(setting: setting, reason: "is not a valid postgres:// URL")
            }
            return .postgres(url: text)
        }
        throw ConfigurationError(setting: setting, reason: "must start with sqlite: or postgres://")
    }

    private static func bankClientConfiguration(
        baseURL: String, environment: Environment
    ) throws(ConfigurationError) -> BankClientConfiguration {
        let authentication = try environment.value(ServeSettings.bankAuth, default: .oauth2)
        func required(_ setting: Setting<String>) throws(ConfigurationError) -> String {
            guard let value = try environment.value(setting) else {
                throw ConfigurationError(
                    setting: setting.variable, reason: "is required for BANK_AUTH=\(authentication.rawValue)")
            }
            return value
        }
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        switch authentication {
        case .oauth2:
            let tokenURL = try environment.value(ServeSettings.bankTokenURL, default: base + "/oauth/token")
            return BankClientConfiguration(
                baseURL: base,
                authentication: .oauth2(
                    tokenURL: tokenURL, clientID: try required(ServeSettings.bankClientID),
                    clientSecret: try required(ServeSettings.bankClientSecret)
                )
            )
        case .apiKey:
            return BankClientConfiguration(
                baseURL: base, authentication: .apiKey(try required(ServeSettings.bankAPIKey)))
        case .mtls:
            // The files are read (and the key checked against the certificate) when the server builds its bank client.
            guard base.lowercased().hasPrefix("https://") else {
                throw ConfigurationError(
                    setting: ServeSettings.bankBaseURL.variable, reason: "must be an https URL for BANK_AUTH=mtls")
            }
            return BankClientConfiguration(
                baseURL: base,
                authentication: .mtls(
                    certificatePath: try required(ServeSettings.bankTLSCertificate),
                    privateKeyPath: try required(ServeSettings.bankTLSKey),
                    caPath: try environment.value(ServeSettings.bankTLSCA)
                )
            )
        }
    }
}
