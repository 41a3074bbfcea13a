import AsyncHTTPClient
import BankSandbox
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceLifecycle

/// Starts real servers on loopback for the duration of a test and talks to them over HTTP.
enum SandboxHarness {
    /// Quiet enough for test output; failures still show warnings and errors from the sandbox.
    static let logger: Logger = {
        var logger = Logger(label: "bank-sandbox-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// For tests that expect failures to be logged and do not want the noise.
    static let quietLogger: Logger = {
        var logger = Logger(label: "bank-sandbox-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A configuration with short settlement delays so webhook tests finish quickly.
    static func configuration(
        faults: SandboxFaults = .none,
        webhookURL: String? = nil,
        webhookSecret: String = BankSandboxConfiguration.defaultWebhookSecret
    ) -> BankSandboxConfiguration {
        BankSandboxConfiguration(
            host: "127.0.0.1",
            port: 0,
            webhookURL: webhookURL,
            webhookSecret: webhookSecret,
            faults: faults,
            processingDelay: .milliseconds(50),
            settlementDelay: .milliseconds(50)
        )
    }

    /// Runs a sandbox on an ephemeral port, calls `body` with it and a client for it, then stops it.
    static func withSandbox<Result: Sendable>(
        _ configuration: BankSandboxConfiguration = Self.configuration(),
        _ body: @Sendable (BankSandbox, SandboxClient) async throws -> Result
    ) async throws -> Result {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let sandbox = BankSandbox(configuration: configuration, logger: Self.logger) { port in
            portContinuation.yield(port)
        }
        return try await Self.whileRunning(sandbox, ports: ports) { port in
            try await body(sandbox, SandboxClient(baseURL: "http://127.0.0.1:\(port)"))
        }
    }

    /// Runs a tiny webhook receiver on an ephemeral port that records every delivery.
    ///
    /// The receiver answers 500 to the first `failFirst` deliveries, to exercise the sandbox's redelivery.
    static func withWebhookReceiver<Result: Sendable>(
        failFirst: Int = 0,
        _ body: @Sendable (_ url: String, _ inbox: WebhookInbox) async throws -> Result
    ) async throws -> Result {
        let inbox = WebhookInbox(failFirst: failFirst)
        let router = Router()
        router.post("/webhook") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let accepted = await inbox.record(
                signature: request.headers[HTTPField.Name("Bank-Signature")!],
                contentType: request.headers[.contentType],
                body: Data(buffer: buffer)
            )
            return Response(status: accepted ? .ok : .internalServerError)
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
            },
            logger: Self.logger
        )
        return try await Self.whileRunning(application, ports: ports) { port in
            try await body("http://127.0.0.1:\(port)/webhook", inbox)
        }
    }

    /// Runs `service` in a service group, calls `body` with its port, then shuts it down gracefully (as production
    /// does on SIGTERM) and waits for it to stop.
    static func whileRunning<Result: Sendable>(
        _ service: some Service,
        ports: AsyncStream<Int>,
        _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(services: [service], logger: Self.logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                guard let port = try await firstElement(of: ports, within: .seconds(10)) else {
                    throw HarnessError.serverDidNotStart
                }
                let result = try await body(port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// Polls `probe` every 20 ms until it returns a value or `timeout` passes.
    static func eventually<Value: Sendable>(
        within timeout: Duration = .seconds(5),
        _ probe: @Sendable () async throws -> Value?
    ) async throws -> Value? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await probe()
    }

    /// The first element of `sequence`, or `nil` if none arrives within `timeout`.
    static func firstElement(of sequence: AsyncStream<Int>, within timeout: Duration) async throws -> Int? {
        try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { await sequence.first { _ in true } }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// Lower-case hex HMAC-SHA256, computed here independently of the sandbox's own signer.
    static func hmacSHA256Hex(secret: String, message: Data) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return code.map { String(format: "%02x", $0) }.joined()
    }

    enum HarnessError: Error {
        case serverDidNotStart
        case unexpectedBody(String)
    }
}

/// A minimal HTTP client for the sandbox's API.
struct SandboxClient: Sendable {
    let baseURL: String

    static let clientID = "sandbox-client"
    static let clientSecret = "sandbox-secret"
    static let apiKey = "sandbox-api-key"

    /// One request; `timeout` bounds it so a misbehaving server fails the test instead of hanging it.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: self.baseURL + path)
        request.method = method
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
    }

    /// A fresh access token via the client-credentials grant with HTTP Basic.
    func accessToken() async throws -> String {
        let basic = Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
        let response = try await self.send(
            .POST,
            "/oauth/token",
            headers: [("Authorization", "Basic \(basic)"), ("Content-Type", "application/x-www-form-urlencoded")],
            body: "grant_type=client_credentials"
        )
        guard response.status == 200, let token = try response.json()["access_token"] as? String else {
            throw SandboxHarness.HarnessError.unexpectedBody(response.text)
        }
        return token
    }

    /// `POST /v1/payments` authenticated with the API key.
    func submitPayment(
        idempotencyKey: String?,
        body: String,
        auth: (String, String)? = ("X-API-Key", SandboxClient.apiKey)
    ) async throws -> TestResponse {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let auth { headers.append(auth) }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        return try await self.send(.POST, "/v1/payments", headers: headers, body: body)
    }

    /// A new payment whose id is also its `Idempotency-Key`, as the orchestrator sends them.
    func submitPayment(_ paymentID: String, clientRef: String) async throws -> TestResponse {
        try await submitPayment(
            idempotencyKey: paymentID, body: SandboxClient.paymentBody(paymentID: paymentID, clientRef: clientRef)
        )
    }

    /// `GET /v1/payments/{id}` authenticated with the API key.
    func paymentStatus(_ paymentID: String) async throws -> TestResponse {
        try await self.send(.GET, "/v1/payments/\(paymentID)", headers: [("X-API-Key", Self.apiKey)])
    }

    /// `GET /sandbox/stats`, decoded.
    func stats() async throws -> SandboxStats {
        let response = try await self.send(.GET, "/sandbox/stats")
        return try JSONDecoder().decode(SandboxStats.self, from: response.body)
    }

    /// A valid payment body.
    static func paymentBody(paymentID: String, clientRef: String, amount: Int = 1250) -> String {
        """
        {"payment_id": "\(paymentID)", "amount": \(amount), "currency": "USD", "client_ref": "\(clientRef)",
         "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789",
                       "routing_number": "021000021"}}
        """
    }
}

/// A response with its body read.
struct TestResponse: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: self.body) as? [String: Any] else {
            throw SandboxHarness.HarnessError.unexpectedBody(self.text)
        }
        return object
    }
}

/// Webhooks received by the test receiver.
actor WebhookInbox {
    /// One delivery as received.
    struct Delivery: Sendable {
        let signature: String?
        let contentType: String?
        let body: Data

        /// The decoded body, or `nil` if it is not a webhook event.
        var event: WebhookPayload? { try? JSONDecoder().decode(WebhookPayload.self, from: self.body) }
        /// The body's top-level keys, to check that `null` values are present rather than omitted.
        var keys: Set<String> {
            let object = (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] ?? [:]
            return Set(object.keys)
        }
        var status: String? { self.event?.status }
        var eventID: String? { self.event?.eventID }
        var paymentID: String? { self.event?.paymentID }
    }

    private(set) var deliveries: [Delivery] = []
    private var failuresLeft: Int

    init(failFirst: Int) {
        self.failuresLeft = failFirst
    }

    /// Records a delivery; returns whether to acknowledge it with 200.
    func record(signature: String?, contentType: String?, body: Data) -> Bool {
        self.deliveries.append(Delivery(signature: signature, contentType: contentType, body: body))
        if self.failuresLeft > 0 {
            self.failuresLeft -= 1
            return false
        }
        return true
    }

    /// Deliveries for one payment, in arrival order.
    func deliveries(for paymentID: String) -> [Delivery] {
        self.deliveries.filter { $0.paymentID == paymentID }
    }
}

/// A webhook body as the receiver contract describes it.
struct WebhookPayload: Decodable, Sendable, Equatable {
    let eventID: String
    let paymentID: String
    let bankRef: String
    let status: String
    let returnCode: String?
    let reason: String?
    let occurredAt: String

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id"
        case paymentID = "payment_id"
        case bankRef = "bank_ref"
        case status
        case returnCode = "return_code"
        case reason
        case occurredAt = "occurred_at"
    }
}
