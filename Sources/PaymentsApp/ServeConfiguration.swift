import BankClient
import BankSandbox
import Foundation
import Logging
import PaymentsCore
import PaymentsOrchestrator

/// Everything `payments serve` needs, read once at start-up. Tests build one directly.
public struct ServeConfiguration: Sendable {
    /// Where payments are stored.
    public enum Database: Sendable, Equatable {
        /// A SQLite file.
        case sqlite(path: String)
        /// A PostgreSQL server.
        case postgres(url: String)
    }

    /// Which bank to use.
    public enum Bank: Sendable {
        /// The sandbox, in this process on an ephemeral loopback port; it sends its webhooks back to this server.
        case embeddedSandbox(BankSandboxConfiguration)
        /// A real (or standalone sandbox) bank.
        case remote(BankClientConfiguration)
    }

    /// Listen address.
    public var host: String
    /// Listen port; 0 picks a free one.
    public var port: Int
    /// The database.
    public var database: Database
    /// Apply migrations on start.
    public var migrateOnStart: Bool
    /// Client API keys (hashed).
    public var apiKeys: APIKeyRegistry
    /// The bank.
    public var bank: Bank
    /// Webhook signing secrets; the first is current, the others are accepted during rotation.
    public var webhookSecrets: [String]
    /// Where settled payments are posted; `nil` records the step as skipped.
    public var erpWebhookURL: String?
    /// Signs what is posted to ``erpWebhookURL``.
    public var erpWebhookSecret: String?
    /// The durable workers.
    public var worker: JobWorkerConfiguration
    /// What a payment may be.
    public var limits: PaymentLimits
    /// When to ask the bank about payments whose webhook is late.
    public var reconciler: ReconcilerConfiguration
    /// How calls to a failing bank are throttled.
    public var throttle: AdaptiveThrottle.Configuration
    /// Connection timeouts and the connection limit.
    public var http: HTTPServerLimits
    /// Requests a second each client may send.
    public var rateLimits: ClientRateLimits
    /// The keys that seal recipient identifiers.
    public var dataKeys: DataKeyRing
    /// How long after its return window a settled payment keeps its sealed account number.
    public var accountRetention: Duration
    /// How client events are delivered, and what endpoints may be.
    public var notifications: ClientWebhookConfiguration

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: Database = .sqlite(path: "./data/payments.sqlite"),
        migrateOnStart: Bool = true, apiKeys: APIKeyRegistry, bank: Bank = .embeddedSandbox(.default),
        webhookSecrets: [String] = [BankSandboxConfiguration.defaultWebhookSecret], erpWebhookURL: String? = nil,
        erpWebhookSecret: String? = nil, worker: JobWorkerConfiguration = .default, limits: PaymentLimits = .default,
        reconciler: ReconcilerConfiguration = .init(), throttle: AdaptiveThrottle.Configuration = .bank,
        http: HTTPServerLimits = .default, rateLimits: ClientRateLimits = .default, dataKeys: DataKeyRing,
        accountRetention: Duration = Self.defaultAccountRetention,
        notifications: ClientWebhookConfiguration = .init()
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.migrateOnStart = migrateOnStart
        self.apiKeys = apiKeys
        self.bank = bank
        self.webhookSecrets = webhookSecrets
        self.erpWebhookURL = erpWebhookURL
        self.erpWebhookSecret = erpWebhookSecret
        self.worker = worker
        self.limits = limits
        self.reconciler = reconciler
        self.throttle = throttle
        self.http = http
        self.rateLimits = rateLimits
        self.dataKeys = dataKeys
        self.accountRetention = accountRetention
        self.notifications = notifications
    }

    /// 90 days after the return window closes.
    public static let defaultAccountRetention = Duration.seconds(90 * 86_400)
}
