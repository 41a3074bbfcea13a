import BankClient
import BankSandbox
import Foundation
import PaymentsCore
import PaymentsOrchestrator

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
    }

    /// Reads the settings CONTRACTS.md names. Throws a ``ConfigurationError`` naming the first bad setting; no
    /// secret value is ever part of the message.
    public static func load(environment env: [String: String], overrides: Overrides = .init()) throws(ConfigurationError) -> Loaded {
        let host = overrides.host ?? env["PAYMENTS_HOST"] ?? "127.0.0.1"
        guard !host.isEmpty else { throw ConfigurationError(setting: "PAYMENTS_HOST", reason: "must not be empty") }

        let port: Int
        if let flag = overrides.port {
            port = flag
        } else if let text = env["PAYMENTS_PORT"] {
            guard let parsed = Int(text) else {
                throw ConfigurationError(setting: "PAYMENTS_PORT", reason: "must be a number from 0 to 65535")
            }
            port = parsed
        } else {
            port = 8080
        }
        guard (0...65535).contains(port) else {
            throw ConfigurationError(setting: overrides.port != nil ? "--port" : "PAYMENTS_PORT", reason: "must be a number from 0 to 65535")
        }

        let databaseURL = overrides.databaseURL ?? env["DATABASE_URL"] ?? "sqlite:./data/payments.sqlite"
        let database = try parseDatabase(databaseURL, setting: overrides.databaseURL != nil ? "--database-url" : "DATABASE_URL")

        let bankBaseURL = env["BANK_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        var generatedKey: (String, String)?
        let apiKeys: APIKeyRegistry
        if let text = env["PAYMENTS_API_KEYS"], !text.isEmpty {
            apiKeys = try APIKeyRegistry.parse(text)
        } else if bankBaseURL == nil {
            var generator = SystemRandomNumberGenerator()
            let key = "sk_sandbox_" + (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexEncoded
            generatedKey = ("sandbox", key)
            apiKeys = APIKeyRegistry(clients: [APIClient(id: "sandbox", key: key)])
        } else {
            throw ConfigurationError(setting: "PAYMENTS_API_KEYS", reason: "is required when BANK_BASE_URL is set")
        }

        let secrets = (env["BANK_WEBHOOK_SECRET"] ?? "").split(separator: ",").map {
            String($0).trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }

        let bank: Bank
        let webhookSecrets: [String]
        if let bankBaseURL {
            guard let url = URL(string: bankBaseURL), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil
            else { throw ConfigurationError(setting: "BANK_BASE_URL", reason: "must be an http(s) URL") }
            guard !secrets.isEmpty else {
                throw ConfigurationError(setting: "BANK_WEBHOOK_SECRET", reason: "is required when BANK_BASE_URL is set")
            }
            webhookSecrets = secrets
            bank = .remote(try bankClientConfiguration(baseURL: bankBaseURL, env: env))
        } else {
            var sandbox = BankSandboxConfiguration.default
            sandbox.port = 0
            if let first = secrets.first { sandbox.webhookSecret = first }
            do {
                sandbox.faults = try SandboxFaults.fromEnvironment(env, base: sandbox.faults)
            } catch {
                throw ConfigurationError(setting: "SANDBOX_*", reason: "\(error)")
            }
            webhookSecrets = secrets.isEmpty ? [sandbox.webhookSecret] : secrets
            bank = .embeddedSandbox(sandbox)
        }

        var erpURL: String?
        if let text = env["ERP_WEBHOOK_URL"], !text.isEmpty {
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
                throw ConfigurationError(setting: "ERP_WEBHOOK_URL", reason: "must be an http(s) URL")
            }
            erpURL = text
        }

        var worker = JobWorkerConfiguration.default
        if let text = env["PAYMENTS_WORKER_CONCURRENCY"] {
            guard let value = Int(text), (0...256).contains(value) else {
                throw ConfigurationError(setting: "PAYMENTS_WORKER_CONCURRENCY", reason: "must be a number from 0 to 256")
            }
            // 0 is an API-only instance (client API and webhook receiver; the queue is worked by other instances),
            // which only a shared database makes sense of: on SQLite nothing else could ever work the queue.
            if value == 0, case .sqlite = database {
                throw ConfigurationError(
                    setting: "PAYMENTS_WORKER_CONCURRENCY", reason: "0 (no workers) needs a PostgreSQL DATABASE_URL"
                )
            }
            worker.concurrency = value
        }
        if let text = env["PAYMENTS_JOB_LEASE_SECONDS"] {
            // A lease must outlast the longest job (a bank call with its timeout), or a slow job could run twice.
            guard let value = Int(text), (12...3600).contains(value) else {
                throw ConfigurationError(setting: "PAYMENTS_JOB_LEASE_SECONDS", reason: "must be a number from 12 to 3600")
            }
            worker.lease = .seconds(value)
        }

        let configuration = ServeConfiguration(
            host: host, port: port, database: database, migrateOnStart: overrides.migrateOnStart ?? true,
            apiKeys: apiKeys, bank: bank, webhookSecrets: webhookSecrets, erpWebhookURL: erpURL, worker: worker
        )
        return Loaded(configuration: configuration, generatedAPIKey: generatedKey)
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

    private static func bankClientConfiguration(baseURL: String, env: [String: String]) throws(ConfigurationError) -> BankClientConfiguration {
        func required(_ name: String) throws(ConfigurationError) -> String {
            guard let value = env[name], !value.isEmpty else {
                throw ConfigurationError(setting: name, reason: "is required for BANK_AUTH=\(env["BANK_AUTH"] ?? "oauth2")")
            }
            return value
        }
        let trimmedBase = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        switch env["BANK_AUTH"] ?? "oauth2" {
        case "oauth2":
            let tokenURL = env["BANK_TOKEN_URL"] ?? trimmedBase + "/oauth/token"
            return BankClientConfiguration(
                baseURL: trimmedBase,
                authentication: .oauth2(
                    tokenURL: tokenURL, clientID: try required("BANK_CLIENT_ID"),
                    clientSecret: try required("BANK_CLIENT_SECRET")
                )
            )
        case "api_key":
            return BankClientConfiguration(baseURL: trimmedBase, authentication: .apiKey(try required("BANK_API_KEY")))
        case "mtls":
            // The files are read (and the key checked against the certificate) when the server builds its bank client.
            func existingFile(_ name: String, _ path: String) throws(ConfigurationError) -> String {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isReadableFile(atPath: path)
                else { throw ConfigurationError(setting: name, reason: "no readable file at \(path)") }
                return path
            }
            guard trimmedBase.lowercased().hasPrefix("https://") else {
                throw ConfigurationError(setting: "BANK_BASE_URL", reason: "must be an https URL for BANK_AUTH=mtls")
            }
            let certificatePath = try existingFile("BANK_TLS_CERT", try required("BANK_TLS_CERT"))
            let privateKeyPath = try existingFile("BANK_TLS_KEY", try required("BANK_TLS_KEY"))
            let caPath: String? =
                if let path = env["BANK_TLS_CA"], !path.isEmpty { try existingFile("BANK_TLS_CA", path) } else { nil }
            return BankClientConfiguration(
                baseURL: trimmedBase,
                authentication: .mtls(certificatePath: certificatePath, privateKeyPath: privateKeyPath, caPath: caPath)
            )
        default:
            throw ConfigurationError(setting: "BANK_AUTH", reason: "must be oauth2, mtls or api_key")
        }
    }
}
