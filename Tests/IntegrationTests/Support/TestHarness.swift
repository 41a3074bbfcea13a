import AsyncHTTPClient
import BankClient
import BankSandbox
import CoreMetrics
import Foundation
import Logging
import MetricsTestKit
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PaymentsApp
import PaymentsCore
import PaymentsOrchestrator
import PaymentsSupport
import ServiceLifecycle
import Synchronization
import Telemetry

/// Two API clients every test server knows.
enum TestClients {
    static let acmeKey = "sk_test_acme_0123456789abcdef"
    static let globexKey = "sk_test_globex_0123456789abcdef"
    static let registry = APIKeyRegistry(clients: [
        APIClient(id: "acme", key: acmeKey), APIClient(id: "globex", key: globexKey),
    ])
    static let webhookSecret = "whsec_test_4c1d2e"
    /// The data keys of every test store and server: `test-1` seals, `index` keys the blind index.
    static let dataKeysText =
        "test-1:\(Data(repeating: 7, count: 32).base64EncodedString()),index:\(Data(repeating: 9, count: 32).base64EncodedString())"
    static let dataKeys = try! DataKeys.parse(dataKeysText, setting: "test")
}

/// HTTP clients for tests. Load tests run dozens of requests at once, more than a default pool's 8 connections per
/// host, and a probe made during a load must not queue behind it.
enum TestHTTP {
    static let load = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(connections: 64))
    static let probe = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(connections: 8))

    /// Untraced: the test plays an outside client, whose headers (a `traceparent` of its own) it sets itself.
    private static func configuration(connections: Int) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        )
        configuration.tracing.tracer = nil
        return configuration
    }
}

/// A running orchestrator (and, unless embedded, a standalone sandbox) on loopback ports, with its log lines.
struct TestServer: Sendable {
    let baseURL: String
    let sandboxURL: String?
    let logs: InMemoryLogSink
    let databasePath: String
    var client: HTTPClient = TestHTTP.load
    var metrics = TestMetrics()
    var sandbox: BankSandbox?

    /// Options for one server.
    struct Options: Sendable {
        var sandbox = BankSandboxConfiguration(
            port: 0, processingDelay: .milliseconds(20), settlementDelay: .milliseconds(60))
        var embeddedSandbox = false
        var databasePath: String?
        /// A PostgreSQL URL instead of a SQLite file.
        var databaseURL: String?
        var erpWebhookURL: String?
        var erpWebhookSecret = "whsec_erp_test"
        var worker = JobWorkerConfiguration(
            concurrency: 8, pollInterval: .milliseconds(50), unnotifiedPollInterval: .milliseconds(50),
            lease: .seconds(30),
            submitRetry: RetryPolicy(base: .milliseconds(20), cap: .milliseconds(200), window: .seconds(10)),
            erpRetry: RetryPolicy(base: .milliseconds(20), cap: .milliseconds(200), window: .seconds(1))
        )
        var logLevel: Logger.Level = .debug
        var metrics = TestMetrics()
        /// When set, the server records into this registry (and serves /metrics from it) instead of `metrics`.
        var registry: MetricsRegistry?
        var throttle = AdaptiveThrottle.Configuration(
            window: .seconds(5), multiplier: AdaptiveThrottle.Configuration.bank.multiplier, minimumRequests: 5,
            probeInterval: .milliseconds(300)
        )
        var reconciler = ReconcilerConfiguration(interval: .seconds(3600), stuckAfter: .seconds(3600))
        /// Connection timeouts and limit.
        var http = HTTPServerLimits.default
        var dataKeys = TestClients.dataKeys
        var accountRetention = ServeConfiguration.defaultAccountRetention
        /// High enough that only the tests of rate limiting meet it.
        var rateLimits = ClientRateLimits(standard: RateLimit(perSecond: 1_000_000, burst: 1_000_000))
        /// Another bank than the sandbox (API-key authentication), for example a ``RecordingBank``.
        var bankURL: String?
        /// How the bank client authenticates to the standalone sandbox.
        var bankAuth: BankAuth = .oauth2(secret: "sandbox-secret")
        var bankRequestTimeout: Duration = .seconds(3)
        /// Client webhook delivery: loopback endpoints allowed, retries within a second, a short window.
        var notifications = ClientWebhookConfiguration(
            perEndpointConcurrency: 4, timeout: .seconds(2),
            retry: RetryPolicy(base: .milliseconds(50), cap: .milliseconds(300), window: .seconds(30)),
            secretOverlap: .seconds(60), targets: WebhookTargetPolicy(allowPrivate: true), lease: .seconds(10),
            pollInterval: .milliseconds(50), unnotifiedPollInterval: .milliseconds(50))

        /// The embedded default: the sandbox in the server's process, logging at `logLevel`.
        static func embedded(logLevel: Logger.Level = .debug) -> Options {
            var options = Options()
            options.embeddedSandbox = true
            options.logLevel = logLevel
            return options
        }

        enum BankAuth: Sendable {
            case oauth2(secret: String)
            case apiKey(String)
        }
    }

    /// Starts the servers, runs `body`, then shuts them down gracefully (even if `body` throws).
    static func with<T: Sendable>(_ options: Options = Options(), _ body: (TestServer) async throws -> T) async throws
        -> T
    {
        let logs = InMemoryLogSink()
        let logger = Logger(label: "payments") { JSONLogHandler(label: $0, sink: logs, logLevel: options.logLevel) }
        let databasePath = options.databasePath ?? temporaryDatabasePath()

        var sandboxGroup: ServiceGroup?
        var sandbox: BankSandbox?
        var sandboxURL: String?
        var bank: ServeConfiguration.Bank
        let sandboxTask: Task<Void, any Error>?
        if let bankURL = options.bankURL {
            bank = .remote(
                BankClientConfiguration(
                    baseURL: bankURL, authentication: .apiKey("recording-bank-key"),
                    requestTimeout: options.bankRequestTimeout))
            sandboxTask = nil
        } else if options.embeddedSandbox {
            var embedded = options.sandbox
            embedded.webhookSecret = TestClients.webhookSecret
            bank = .embeddedSandbox(embedded)
            sandboxTask = nil
        } else {
            var configuration = options.sandbox
            configuration.webhookSecret = TestClients.webhookSecret
            let port = OneShotValue<Int>()
            let standalone = BankSandbox(configuration: configuration, logger: logger) { port.set($0) }
            let group = ServiceGroup(configuration: .init(services: [.init(service: standalone)], logger: logger))
            sandboxTask = Task { try await group.run() }
            let url = "http://127.0.0.1:\(await port.value)"
            sandbox = standalone
            sandboxGroup = group
            sandboxURL = url
            let authentication: BankClientConfiguration.Authentication
            switch options.bankAuth {
            case .oauth2(let secret):
                authentication = .oauth2(
                    tokenURL: url + "/oauth/token", clientID: configuration.clientID, clientSecret: secret)
            case .apiKey(let key):
                authentication = .apiKey(key)
            }
            bank = .remote(
                BankClientConfiguration(
                    baseURL: url, authentication: authentication, requestTimeout: options.bankRequestTimeout)
            )
        }

        let configuration = ServeConfiguration(
            host: "127.0.0.1", port: 0,
            database: options.databaseURL.map { .postgres(url: $0) } ?? .sqlite(path: databasePath),
            apiKeys: TestClients.registry,
            bank: bank, webhookSecrets: [TestClients.webhookSecret], erpWebhookURL: options.erpWebhookURL,
            erpWebhookSecret: options.erpWebhookSecret,
            worker: options.worker, reconciler: options.reconciler, throttle: options.throttle, http: options.http,
            rateLimits: options.rateLimits, dataKeys: options.dataKeys, accountRetention: options.accountRetention,
            notifications: options.notifications
        )
        let port = OneShotValue<Int>()
        let server = PaymentsServer(
            configuration: configuration, logger: logger, metrics: options.registry ?? options.metrics
        ) { port.set($0) }
        let serverGroup = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        let serverTask = Task { try await serverGroup.run() }
        let baseURL = "http://127.0.0.1:\(await port.value)"
        if let sandbox { await sandbox.setWebhookURL(baseURL + "/webhook/payments") }

        let testServer = TestServer(
            baseURL: baseURL, sandboxURL: sandboxURL, logs: logs, databasePath: databasePath, metrics: options.metrics,
            sandbox: sandbox
        )
        let result: Result<T, any Error>
        do {
            result = .success(try await body(testServer))
        } catch {
            result = .failure(error)
        }
        await serverGroup.triggerGracefulShutdown()
        try await serverTask.value
        if let sandboxGroup {
            await sandboxGroup.triggerGracefulShutdown()
            try await sandboxTask?.value
        }
        return try result.get()
    }

    static func temporaryDatabasePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "payments-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("payments.sqlite").path
    }
}

/// One HTTP exchange's result.
struct HTTPResult: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    /// The body as a JSON object (empty when it is not one).
    var json: [String: any Sendable] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: any Sendable] ?? [:]
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

extension TestServer {
    func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, key: String? = TestClients.acmeKey,
        headers: [(String, String)] = [], contentType: String? = "application/json", base: String? = nil
    ) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: (base ?? baseURL) + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if body != nil, let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(10))
        let collected = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Data(buffer: collected))
    }

    /// Posts a webhook signed with `secret` at `timestamp`.
    func sendWebhook(
        _ body: String, secret: String = TestClients.webhookSecret, timestamp: Date = Date(),
        signatureHeader: String? = nil
    ) async throws -> HTTPResult {
        let header =
            signatureHeader
            ?? WebhookSignature(secrets: [secret]).header(
                body: Array(body.utf8), timestamp: Int64(timestamp.timeIntervalSince1970))
        return try await request(
            .POST, "/webhook/payments", body: body, key: nil, headers: [("Bank-Signature", header)])
    }

    /// The sandbox's counters.
    func sandboxStats() async throws -> [String: any Sendable] {
        try await request(.GET, "/sandbox/stats", key: nil, base: sandboxURL!).json
    }

    /// Points the standalone sandbox's webhooks somewhere else (a dead port loses them).
    func redirectSandboxWebhooks(to url: String) async throws {
        await sandbox?.setWebhookURL(url)
    }

    func setSandboxFaults(_ json: String) async throws {
        let result = try await request(.POST, "/sandbox/faults", body: json, key: nil, base: sandboxURL!)
        precondition(result.status == 200, "sandbox refused faults: \(result.text)")
    }

    /// Creates a payment and returns its JSON.
    func createPayment(
        clientRef: String = "INV-\(UUID().uuidString.prefix(8))", amount: Int = 1250, key: String = TestClients.acmeKey,
        idempotencyKey: String? = nil
    ) async throws -> HTTPResult {
        try await request(
            .POST, "/v1/payments", body: PaymentBodies.bankAccount(clientRef: clientRef, amount: amount), key: key,
            headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? []
        )
    }

    /// Polls a payment until `predicate` holds or `timeout` passes; returns the last JSON seen.
    func waitForPayment(
        _ id: String, timeout: Duration = .seconds(10), until predicate: ([String: any Sendable]) -> Bool
    ) async throws -> [String: any Sendable] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: any Sendable] = [:]
        while ContinuousClock.now < deadline {
            last = try await request(.GET, "/v1/payments/\(id)").json
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(25))
        }
        return last
    }

    func waitForStatus(_ id: String, _ status: String, timeout: Duration = .seconds(10)) async throws -> [String:
        any Sendable]
    {
        try await waitForPayment(id, timeout: timeout) { $0["status"] as? String == status }
    }
}

enum PaymentBodies {
    static func bankAccount(clientRef: String, amount: Int = 1250, description: String = "Invoice") -> String {
        """
        {"amount": \(amount), "currency": "USD", "client_ref": "\(clientRef)",
         "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"},
         "description": "\(description)"}
        """
    }

    static func webhook(
        paymentID: String, status: String, eventID: String = "evt_\(UUID().uuidString)", returnCode: String? = nil,
        bankRef: String? = nil
    ) -> String {
        let code = returnCode.map { "\"\($0)\"" } ?? "null"
        let reason = returnCode == nil ? "null" : "\"Insufficient funds\""
        let ref = bankRef.map { "\"\($0)\"" } ?? "null"
        return """
            {"event_id": "\(eventID)", "payment_id": "\(paymentID)", "bank_ref": \(ref), "status": "\(status)", "return_code": \(code), "reason": \(reason), "occurred_at": "2026-11-24T10:00:00Z"}
            """
    }
}

extension Dictionary where Key == String, Value == any Sendable {
    var history: [[String: any Sendable]] { self["history"] as? [[String: any Sendable]] ?? [] }
    var historyStatuses: [String] { history.compactMap { $0["status"] as? String } }
    var string: (String) -> String? { { self[$0] as? String } }
}
