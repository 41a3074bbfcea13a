import Foundation
import Hummingbird
import Logging
import PaymentsAPI
import PaymentsCore
import PaymentsOrchestrator
import PaymentsStorage
import PaymentsSupport
import ServiceLifecycle
import Telemetry
import Testing

/// The operations and statuses the OpenAPI document lists, read line by line (the document keeps a fixed layout).
struct DocumentedOperations {
    var statuses: [String: Set<Int>] = [:]  // "POST /v1/payments" → statuses

    init(yaml: String) {
        var inPaths = false
        var path: String?
        var operation: String?
        var inResponses = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix(while: { $0 == " " }).count
            let text = line.trimmingCharacters(in: .whitespaces)
            if indent == 0 && !text.isEmpty {
                inPaths = text == "paths:"
                continue
            }
            guard inPaths, !text.isEmpty, !text.hasPrefix("#") else { continue }
            if indent == 2, text.hasSuffix(":") {
                path = String(text.dropLast())
                operation = nil
            } else if indent == 4, let path, ["get:", "post:", "put:", "patch:", "delete:"].contains(text) {
                operation = "\(text.dropLast().uppercased()) \(path)"
                statuses[operation!] = []
                inResponses = false
            } else if indent == 6 {
                inResponses = text == "responses:"
            } else if indent == 8, inResponses, let operation,
                let code = Int(text.trimmingCharacters(in: CharacterSet(charactersIn: "':")))
            {
                statuses[operation]!.insert(code)
            }
        }
    }
}

@Suite("The OpenAPI document matches the server")
struct OpenAPIContractTests {
    @Test("Every documented operation answers every documented status, and nothing else is routed")
    func documentMatchesServer() async throws {
        let documented = DocumentedOperations(yaml: OpenAPIDocument.yaml).statuses
        #expect(documented.count == 7)
        var observed: [String: Set<Int>] = [:]

        var options = TestServer.Options()
        // One request a second for globex: its second request in a row is a 429.
        options.rateLimits.perClient["globex"] = RateLimit(perSecond: 1, burst: 1)
        try await TestServer.with(options) { server in
            func record(_ operation: String, _ result: HTTPResult) {
                observed[operation, default: []].insert(result.status)
            }
            let served = try await server.request(.GET, "/openapi.yaml", key: nil)
            #expect(served.text == OpenAPIDocument.yaml)
            #expect(served.headers.first(name: "Content-Type") == "application/yaml")
            record("GET /openapi.yaml", served)
            record("GET /healthz", try await server.request(.GET, "/healthz", key: nil))
            record("GET /readyz", try await server.request(.GET, "/readyz", key: nil))

            let create = "POST /v1/payments"
            let created = try await server.createPayment(clientRef: "DOC-1", idempotencyKey: "doc-1")
            record(create, created)
            record(create, try await server.createPayment(clientRef: "DOC-1", idempotencyKey: "doc-1"))
            record(create, try await server.createPayment(clientRef: "DOC-1", amount: 5, idempotencyKey: "doc-1"))
            record(create, try await server.createPayment(clientRef: "DOC-2", key: "sk_nobody_0123456789abcdef"))
            record(create, try await server.request(.POST, "/v1/payments", body: "{}"))
            record(create, try await server.request(.POST, "/v1/payments", body: "x", contentType: "text/plain"))
            record(create, try await server.request(.POST, "/v1/payments", body: String(repeating: " ", count: 70_000)))

            let id = try #require(created.json.string("payment_id"))
            let get = "GET /v1/payments/{payment_id}"
            record(get, try await server.request(.GET, "/v1/payments/\(id)"))
            record(get, try await server.request(.GET, "/v1/payments/\(id)", key: nil))
            record(get, try await server.request(.GET, "/v1/payments/\(id)", key: TestClients.globexKey))

            let list = "GET /v1/payments"
            record(list, try await server.request(.GET, "/v1/payments"))
            record(list, try await server.request(.GET, "/v1/payments", key: nil))
            record(list, try await server.request(.GET, "/v1/payments?limit=0"))

            // Over the rate limit, on each client operation (globex spent its one token above).
            record(create, try await server.createPayment(clientRef: "DOC-3", key: TestClients.globexKey))
            record(list, try await server.request(.GET, "/v1/payments", key: TestClients.globexKey))
            record(get, try await server.request(.GET, "/v1/payments/\(id)", key: TestClients.globexKey))

            // A body that ends before its Content-Length: 400, when the client still listens.
            let port = Int(server.baseURL.split(separator: ":").last!)!
            let short = try RawConnection(port: port)
            short.send(
                "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestClients.acmeKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"amount\"")
            short.shutdownWrite()
            let answer = short.readAll(timeout: .seconds(5))
            if let code = answer.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                observed[create, default: []].insert(code)
            }

            let webhook = "POST /webhook/payments"
            record(webhook, try await server.sendWebhook(PaymentBodies.webhook(paymentID: id, status: "completed")))
            record(webhook, try await server.sendWebhook("{}"))
            record(webhook, try await server.sendWebhook("{}", secret: "whsec_wrong"))
            record(webhook, try await server.sendWebhook(String(repeating: " ", count: 70_000)))

            // Routes that are not documented are not served.
            #expect(try await server.request(.GET, "/v1/refunds").status == 404)
            #expect(try await server.request(.DELETE, "/v1/payments/\(id)").status != 200)
        }

        // The 503s: the same router over a store whose database is down.
        try await withUnavailableStore { down in
            observed["POST /v1/payments", default: []].insert(try await down.createPayment(clientRef: "DOWN").status)
            observed["GET /v1/payments", default: []].insert(try await down.request(.GET, "/v1/payments").status)
            observed["GET /v1/payments/{payment_id}", default: []].insert(
                try await down.request(.GET, "/v1/payments/\(UUID().uuidString)").status
            )
            observed["POST /webhook/payments", default: []].insert(
                try await down.sendWebhook(PaymentBodies.webhook(paymentID: UUID().uuidString, status: "completed"))
                    .status
            )
            let readyz = try await down.request(.GET, "/readyz", key: nil)
            observed["GET /readyz", default: []].insert(readyz.status)
            let problem = try await down.createPayment(clientRef: "DOWN-2")
            #expect(problem.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(problem.headers.first(name: "Retry-After") == "1")
        }

        for (operation, statuses) in documented {
            #expect(
                observed[operation] == statuses,
                "\(operation): documented \(statuses.sorted()), observed \((observed[operation] ?? []).sorted())")
        }
        #expect(Set(observed.keys) == Set(documented.keys))
    }

    private func withUnavailableStore(_ body: (TestServer) async throws -> Void) async throws {
        let store = SwitchableStore(
            try SQLitePaymentStore(path: TestServer.temporaryDatabasePath(), ring: TestClients.dataKeys))
        try await store.migrate()
        store.setAvailable(false)
        let logger = Logger(label: "test")
        let router = APIRouter.build(
            orchestrator: PaymentOrchestrator(store: store, signal: WakeUpSignal(), logger: logger),
            apiKeys: TestClients.registry, webhookSignature: WebhookSignature(secrets: [TestClients.webhookSecret])
        )
        try await withLoopbackApplication(router: router, logger: logger) { port in
            try await body(
                TestServer(
                    baseURL: "http://127.0.0.1:\(port)", sandboxURL: nil, logs: InMemoryLogSink(), databasePath: "")
            )
        }
    }
}
