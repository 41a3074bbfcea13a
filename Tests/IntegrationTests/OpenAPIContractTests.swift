import Foundation
import Hummingbird
import Logging
import NIOHTTP1
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
        #expect(documented.count == 15)
        var observed: [String: Set<Int>] = [:]

        var options = TestServer.Options()
        // One request a second for globex: its second request in a row is a 429.
        options.rateLimits.perClient["globex"] = RateLimit(perSecond: 1, burst: 1)
        try await TestServer.with(options) { server in
            func record(_ operation: String, _ result: HTTPResult) {
                observed[operation, default: []].insert(result.status)
            }
            // A body that ends before its Content-Length: 400, when the client still listens.
            func recordIncompleteBody(_ operation: String, path: String, start: String) throws {
                let port = Int(server.baseURL.split(separator: ":").last!)!
                let short = try RawConnection(port: port)
                short.send(
                    "POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestClients.acmeKey)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 400\r\n\r\n\(start)")
                short.shutdownWrite()
                let answer = short.readAll(timeout: .seconds(5))
                if let code = answer.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
                    observed[operation, default: []].insert(code)
                }
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
            let globex = TestClients.globexKey
            let anyID = UUID().uuidString.lowercased()
            record(create, try await server.createPayment(clientRef: "DOC-3", key: globex))
            record(list, try await server.request(.GET, "/v1/payments", key: globex))
            record(get, try await server.request(.GET, "/v1/payments/\(id)", key: globex))
            for (operation, method, path) in Self.endpointAndEventOperations(id: anyID) {
                let body = method == .POST ? #"{"url": "http://127.0.0.1:9/hooks"}"# : nil
                record(operation, try await server.request(method, path, body: body, key: globex))
            }

            try recordIncompleteBody(create, path: "/v1/payments", start: #"{"amount""#)

            let webhook = "POST /webhook/payments"
            record(webhook, try await server.sendWebhook(PaymentBodies.webhook(paymentID: id, status: "completed")))
            record(webhook, try await server.sendWebhook("{}"))
            record(webhook, try await server.sendWebhook("{}", secret: "whsec_wrong"))
            record(webhook, try await server.sendWebhook(String(repeating: " ", count: 70_000)))

            try await exerciseEndpointsAndEvents(server, paymentID: id, record: record)
            try recordIncompleteBody("POST /v1/webhook_endpoints", path: "/v1/webhook_endpoints", start: #"{"url""#)

            // Routes that are not documented are not served.
            #expect(try await server.request(.GET, "/v1/refunds").status == 404)
            #expect(try await server.request(.DELETE, "/v1/payments/\(id)").status != 200)
            #expect(try await server.request(.PATCH, "/v1/webhook_endpoints/\(anyID)", body: "{}").status != 200)
            #expect(try await server.request(.DELETE, "/v1/events/\(anyID)").status != 200)
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
            // A public IP literal: the default policy takes it without DNS, and only the store then fails.
            for (operation, method, path) in Self.endpointAndEventOperations(id: UUID().uuidString.lowercased()) {
                let body = method == .POST ? #"{"url": "https://93.184.216.34/hooks"}"# : nil
                observed[operation, default: []].insert(try await down.request(method, path, body: body).status)
            }
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

    /// Each webhook endpoint and event operation, with a path for the resource `id`.
    static func endpointAndEventOperations(id: String) -> [(String, HTTPMethod, String)] {
        [
            ("POST /v1/webhook_endpoints", .POST, "/v1/webhook_endpoints"),
            ("GET /v1/webhook_endpoints", .GET, "/v1/webhook_endpoints"),
            ("GET /v1/webhook_endpoints/{endpoint_id}", .GET, "/v1/webhook_endpoints/\(id)"),
            ("DELETE /v1/webhook_endpoints/{endpoint_id}", .DELETE, "/v1/webhook_endpoints/\(id)"),
            (
                "POST /v1/webhook_endpoints/{endpoint_id}/rotate_secret", .POST,
                "/v1/webhook_endpoints/\(id)/rotate_secret"
            ),
            ("GET /v1/events", .GET, "/v1/events"),
            ("GET /v1/events/{event_id}", .GET, "/v1/events/\(id)"),
            ("POST /v1/events/{event_id}/redeliver", .POST, "/v1/events/\(id)/redeliver"),
        ]
    }

    /// The members the document lists for each shape (every one is required, so present even when `null`).
    static let endpointKeys: Set<String> = [
        "id", "url", "events", "description", "status", "created_at", "previous_secret_expires_at",
    ]
    static let eventKeys: Set<String> = ["id", "type", "created_at", "client_id", "data"]
    static let paymentSnapshotKeys: Set<String> = [
        "payment_id", "client_ref", "amount", "currency", "recipient", "description", "status", "bank_ref",
        "return_code", "failure_reason", "created_at", "updated_at", "trace_id",
    ]
    static let deliveryAttemptKeys: Set<String> = ["endpoint_id", "at", "status_code", "latency_ms", "error"]

    /// Registers an endpoint on a closed loopback port (the test server allows private addresses), lists, reads,
    /// rotates; lists events after a payment, reads one with its delivery attempts, redelivers; fills the client's
    /// endpoints to the cap; deletes. Records every answer, and checks each body has the documented members.
    private func exerciseEndpointsAndEvents(
        _ server: TestServer, paymentID: String, record: (String, HTTPResult) -> Void
    ) async throws {
        let missing = UUID().uuidString.lowercased()
        let register = "POST /v1/webhook_endpoints"
        let hooks = #"{"url": "http://127.0.0.1:9/hooks", "events": ["*"], "description": "contract test"}"#
        let registered = try await server.request(.POST, "/v1/webhook_endpoints", body: hooks)
        record(register, registered)
        #expect(registered.status == 201, "\(registered.text)")
        let endpointID = try #require(registered.json.string("id"))
        let secret = try #require(registered.json.string("secret"))
        #expect(secret.hasPrefix("whsec_") && secret.count == 70)
        #expect(Set(registered.json.keys) == Self.endpointKeys.union(["secret"]))
        #expect(registered.headers.first(name: "Location") == "/v1/webhook_endpoints/\(endpointID)")
        #expect(registered.json["events"] as? [String] == ["*"])
        #expect(registered.json.string("status") == "enabled")
        #expect(registered.json["previous_secret_expires_at"] is NSNull)
        let refused = try await server.request(
            .POST, "/v1/webhook_endpoints", body: #"{"url": "http://127.0.0.1:9/hooks", "events": [], "colour": 1}"#)
        record(register, refused)
        #expect(refused.status == 422)
        #expect(refused.headers.first(name: "Content-Type") == "application/problem+json")
        let pointers = (refused.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String }
        #expect(Set(pointers) == ["/colour", "/events"])
        record(register, try await server.request(.POST, "/v1/webhook_endpoints", body: hooks, key: nil))
        record(
            register, try await server.request(.POST, "/v1/webhook_endpoints", body: hooks, contentType: "text/plain"))
        record(
            register,
            try await server.request(.POST, "/v1/webhook_endpoints", body: String(repeating: " ", count: 70_000)))

        let listEndpoints = "GET /v1/webhook_endpoints"
        let listed = try await server.request(.GET, "/v1/webhook_endpoints")
        record(listEndpoints, listed)
        let endpoints = listed.json["data"] as? [[String: Any]] ?? []
        #expect(endpoints.map { $0["id"] as? String } == [endpointID])
        #expect(endpoints.allSatisfy { Set($0.keys) == Self.endpointKeys }, "listed without the secret")
        record(listEndpoints, try await server.request(.GET, "/v1/webhook_endpoints", key: nil))

        let getEndpoint = "GET /v1/webhook_endpoints/{endpoint_id}"
        let fetched = try await server.request(.GET, "/v1/webhook_endpoints/\(endpointID)")
        record(getEndpoint, fetched)
        #expect(Set(fetched.json.keys) == Self.endpointKeys, "read without the secret")
        record(getEndpoint, try await server.request(.GET, "/v1/webhook_endpoints/\(endpointID)", key: nil))
        record(getEndpoint, try await server.request(.GET, "/v1/webhook_endpoints/\(missing)"))
        record(getEndpoint, try await server.request(.GET, "/v1/webhook_endpoints/not-a-uuid"))
        let foreign = try await server.request(
            .GET, "/v1/webhook_endpoints/\(endpointID)", key: TestClients.globexKey)
        #expect(foreign.status == 404 || foreign.status == 429, "another client's endpoint is not found")

        let rotate = "POST /v1/webhook_endpoints/{endpoint_id}/rotate_secret"
        let rotated = try await server.request(.POST, "/v1/webhook_endpoints/\(endpointID)/rotate_secret")
        record(rotate, rotated)
        #expect(Set(rotated.json.keys) == Self.endpointKeys.union(["secret"]))
        #expect(rotated.json.string("secret").map { $0 != secret && $0.hasPrefix("whsec_") } == true)
        #expect(rotated.json.string("previous_secret_expires_at") != nil)
        record(rotate, try await server.request(.POST, "/v1/webhook_endpoints/\(endpointID)/rotate_secret", key: nil))
        record(rotate, try await server.request(.POST, "/v1/webhook_endpoints/\(missing)/rotate_secret"))

        // A payment made now has events, each with a delivery to the endpoint (refused: nothing listens on port 9).
        let payment = try #require(
            try await server.createPayment(clientRef: "DOC-EVENTS").json.string("payment_id"))
        let listEvents = "GET /v1/events"
        let page = try await server.request(.GET, "/v1/events?type=payment.initiated&limit=100")
        record(listEvents, page)
        #expect(Set(page.json.keys) == ["data", "next_cursor", "has_more"])
        #expect(page.json["has_more"] as? Bool == false)
        let cursor = try #require(page.json.string("next_cursor"))
        #expect(EventCursor(token: cursor) != nil)
        let events = page.json["data"] as? [[String: Any]] ?? []
        #expect(events.allSatisfy { Set($0.keys) == Self.eventKeys && $0["type"] as? String == "payment.initiated" })
        func initiated(_ paymentID: String) -> [String: Any]? {
            events.first {
                (($0["data"] as? [String: Any])?["payment"] as? [String: Any])?["payment_id"] as? String == paymentID
            }
        }
        let event = try #require(initiated(payment))
        let snapshot = (event["data"] as? [String: Any])?["payment"] as? [String: Any] ?? [:]
        #expect(Set(snapshot.keys) == Self.paymentSnapshotKeys, "the payment without history and attempts")
        let after = try await server.request(.GET, "/v1/events?after=\(cursor)&limit=1")
        record(listEvents, after)
        #expect(after.json["data"] is [Any] && after.json.string("next_cursor") != nil)
        record(listEvents, try await server.request(.GET, "/v1/events", key: nil))
        record(listEvents, try await server.request(.GET, "/v1/events?limit=0"))
        record(listEvents, try await server.request(.GET, "/v1/events?after=ev_x"))

        let eventID = try #require(event["id"] as? String)
        let getEvent = "GET /v1/events/{event_id}"
        var detail = try await server.request(.GET, "/v1/events/\(eventID)")
        let deadline = ContinuousClock.now + .seconds(5)
        while (detail.json["delivery_attempts"] as? [Any] ?? []).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
            detail = try await server.request(.GET, "/v1/events/\(eventID)")
        }
        record(getEvent, detail)
        #expect(Set(detail.json.keys) == Self.eventKeys.union(["delivery_attempts"]))
        let attempts = detail.json["delivery_attempts"] as? [[String: Any]] ?? []
        #expect(!attempts.isEmpty, "the delivery to the closed port was attempted")
        #expect(
            attempts.allSatisfy {
                Set($0.keys) == Self.deliveryAttemptKeys && $0["endpoint_id"] as? String == endpointID
            })
        record(getEvent, try await server.request(.GET, "/v1/events/\(eventID)", key: nil))
        record(getEvent, try await server.request(.GET, "/v1/events/\(missing)"))

        // The first payment's creation came before the endpoint: it had no delivery, and gets exactly one now.
        let redeliver = "POST /v1/events/{event_id}/redeliver"
        let earlier = try #require(initiated(paymentID)?["id"] as? String)
        let queued = try await server.request(.POST, "/v1/events/\(earlier)/redeliver")
        record(redeliver, queued)
        #expect(queued.json.string("event_id") == earlier)
        #expect(queued.json["deliveries_queued"] as? Int == 1)
        record(redeliver, try await server.request(.POST, "/v1/events/\(eventID)/redeliver", key: nil))
        record(redeliver, try await server.request(.POST, "/v1/events/\(missing)/redeliver"))

        // At most 16 endpoints a client: the 17th is a 409. The extra ones are deleted at once.
        var extra: [String] = []
        for _ in 1..<16 {
            let more = try await server.request(.POST, "/v1/webhook_endpoints", body: hooks)
            record(register, more)
            extra.append(try #require(more.json.string("id")))
        }
        let full = try await server.request(.POST, "/v1/webhook_endpoints", body: hooks)
        record(register, full)
        #expect(full.status == 409)
        let delete = "DELETE /v1/webhook_endpoints/{endpoint_id}"
        for id in extra + [endpointID] {
            record(delete, try await server.request(.DELETE, "/v1/webhook_endpoints/\(id)"))
        }
        #expect(try await server.request(.GET, "/v1/webhook_endpoints/\(endpointID)").status == 404)
        record(delete, try await server.request(.DELETE, "/v1/webhook_endpoints/\(endpointID)"))
        record(delete, try await server.request(.DELETE, "/v1/webhook_endpoints/\(missing)", key: nil))
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
