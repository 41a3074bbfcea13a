import Foundation
import MetricsTestKit
import PaymentsApp
import PaymentsCore
import PaymentsStorage
import Testing

/// The API probed as an attacker or a careless client would: bad bytes in one tenant's batch, idle and half-sent
/// connections, colliding references at the bank, and the small ways a request can be malformed.
@Suite("A hardened edge")
struct HardenedEdgeTests {
    static func port(of server: TestServer) -> Int { Int(server.baseURL.split(separator: ":").last!)! }

    @Test(
        "PostgreSQL: one client's NUL-bearing creates among another's valid ones, five rounds: every valid create 201")
    func oneClientsBadTextNeverFailsAnothersCreates() async throws {
        var options = TestServer.Options()
        options.databaseURL = try await PostgresTestDatabase.create()
        try await TestServer.with(options) { server in
            for round in 0..<5 {
                let statuses = try await withThrowingTaskGroup(of: (Bool, Int, String).self) { group in
                    for index in 0..<120 {
                        let bad = index % 20 == 0
                        group.addTask {
                            let body = PaymentBodies.bankAccount(
                                clientRef: "R\(round)-\(index)", description: bad ? #"bad\u0000text"# : "Invoice")
                            let result = try await server.request(
                                .POST, "/v1/payments", body: body,
                                key: bad ? TestClients.acmeKey : TestClients.globexKey)
                            return (bad, result.status, result.text)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let valid = statuses.filter { !$0.0 }
                #expect(valid.count == 114)
                #expect(valid.allSatisfy { $0.1 == 201 }, "round \(round): \(valid.filter { $0.1 != 201 }.prefix(3))")
                for (_, status, text) in statuses where statuses.first?.0 == true || status != 201 {
                    if status != 201 {
                        #expect(status == 422)
                        #expect(text.contains("/description") && text.contains("control characters"), "\(text)")
                    }
                }
            }
            let listed = try await server.request(.GET, "/v1/payments?client_ref=%00")
            #expect(listed.status == 422)
            #expect(listed.text.contains("client_ref"))
        }
    }

    @Test(
        "A value the database refuses fails its own create only, even inside a batch; SQLite keeps text whole",
        arguments: StoreKind.allCases)
    func storeIsolatesARefusedValue(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let results = await withTaskGroup(of: (Bool, Result<PaymentCreation, any Error>).self) { group in
                for index in 0..<40 {
                    let bad = index % 10 == 3
                    group.addTask {
                        var new = PaymentStoreContractTests.newPayment(clientRef: "NUL-\(index)")
                        if bad { new.request.description = "nul\u{0}inside" }
                        do { return (bad, .success(try await store.create(new))) } catch {
                            return (bad, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for (bad, result) in results where !bad {
                guard case .success(.created) = result else {
                    Issue.record("a valid create failed: \(result)")
                    continue
                }
            }
            for (bad, result) in results where bad {
                switch (kind, result) {
                case (.postgres, .failure(let error)):
                    #expect((error as? StoreError)?.code == .rejectedValue, "\(error)")
                case (.sqlite, .success(.created(let payment))):
                    let stored = try? await store.payment(id: payment.id)
                    #expect(stored?.description == "nul\u{0}inside")
                default:
                    Issue.record("\(kind): unexpected \(result)")
                }
            }
        }
    }

    @Test(
        "2,000 idle or half-sent connections: a create still answers at once, and they are closed after the idle timeout"
    )
    func idleConnectionsAreClosed() async throws {
        var options = TestServer.Options()
        options.http = HTTPServerLimits(idleTimeout: .seconds(3), bodyTimeout: .seconds(3), maximumConnections: 4096)
        try await TestServer.with(options) { server in
            let port = Self.port(of: server)
            var idle: [RawConnection] = []
            for index in 0..<2_000 {
                let connection = try RawConnection(port: port)
                if index % 2 == 1 { connection.send("POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Ty") }
                idle.append(connection)
            }
            let started = ContinuousClock.now
            let created = try await server.createPayment(clientRef: "AFTER-IDLE")
            let elapsed = ContinuousClock.now - started
            #expect(created.status == 201)
            #expect(elapsed < .seconds(1), "a create took \(elapsed) beside 2,000 idle connections")
            try await Task.sleep(for: .seconds(5))
            let closed = idle.filter { $0.isClosedByPeer() }.count
            #expect(closed == 2_000, "\(closed) of 2000 closed after the 3 s idle timeout")
        }
    }

    @Test("A body that stops arriving: the connection is closed after the body timeout, logged as the client's doing")
    func halfSentBody() async throws {
        var options = TestServer.Options()
        options.http = HTTPServerLimits(idleTimeout: .seconds(30), bodyTimeout: .seconds(1), maximumConnections: 4096)
        try await TestServer.with(options) { server in
            let slow = try RawConnection(port: Self.port(of: server))
            slow.send(
                "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestClients.acmeKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"amount\": 12")
            _ = slow.readAll(timeout: .seconds(3))
            #expect(slow.isClosedByPeer())
            // A client that hangs up mid-body.
            let gone = try RawConnection(port: Self.port(of: server))
            gone.send(
                "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestClients.acmeKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"amount\"")
            try await Task.sleep(for: .milliseconds(100))
            _ = gone  // closed when released
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.logs.lines.contains { $0.contains("Request body not received in full") })
            #expect(!server.logs.lines.contains { $0.contains("Unhandled error") })
            #expect(try await server.createPayment().status == 201)
        }
    }

    @Test("Beyond the connection limit a request is refused with 503 and Connection: close; below it, served again")
    func connectionLimit() async throws {
        var options = TestServer.Options()
        options.http = HTTPServerLimits(idleTimeout: .seconds(30), bodyTimeout: .seconds(5), maximumConnections: 16)
        try await TestServer.with(options) { server in
            let port = Self.port(of: server)
            var held = try (0..<16).map { _ in try RawConnection(port: port) }
            try await Task.sleep(for: .milliseconds(200))
            let extra = try RawConnection(port: port)
            extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = extra.readAll(timeout: .seconds(3))
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"))
            #expect(answer.contains("too-many-connections"))
            held.removeAll()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await server.request(.GET, "/healthz", key: nil).status == 200)
        }
    }

    @Test("Two clients with the same client_ref: both paid, and the bank sees no duplicate")
    func tenantsDoNotCollideAtTheBank() async throws {
        try await TestServer.with { server in
            let acme = try await server.createPayment(clientRef: "INV-SAME", key: TestClients.acmeKey)
            let globex = try await server.createPayment(clientRef: "INV-SAME", key: TestClients.globexKey)
            for (created, key) in [(acme, TestClients.acmeKey), (globex, TestClients.globexKey)] {
                #expect(created.status == 201)
                let id = try #require(created.json.string("payment_id"))
                var status: String?
                for _ in 0..<200 where status != "completed" {
                    status = try await server.request(.GET, "/v1/payments/\(id)", key: key).json.string("status")
                    if status != "completed" { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(status == "completed")
            }
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 2)
            #expect(stats["duplicate_submissions"] as? Int == 0)
        }
    }

    @Test("The small ways a request can be wrong, each a clear problem")
    func smallDefects() async throws {
        try await TestServer.with { server in
            // Lengths in code points: 100 letters with combining accents are 200 code points.
            let accented = String(repeating: "e\u{301}", count: 100)
            let longName = PaymentBodies.bankAccount(clientRef: "LEN-1").replacingOccurrences(
                of: "Acme LLC", with: accented)
            let name = try await server.request(.POST, "/v1/payments", body: longName)
            #expect(name.status == 422 && name.text.contains("/recipient/name"), "\(name.text)")
            // A name of nothing visible.
            let invisible = PaymentBodies.bankAccount(clientRef: "LEN-2").replacingOccurrences(
                of: "Acme LLC", with: #"\u200b\u200d\u202e"#)
            let hidden = try await server.request(.POST, "/v1/payments", body: invisible)
            #expect(hidden.status == 422 && hidden.text.contains("/recipient/name"), "\(hidden.text)")
            // A repeated key.
            let repeated =
                #"{"amount": 1, "amount": 1250, "currency": "USD", "client_ref": "DUP-1", "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"}}"#
            let duplicate = try await server.request(.POST, "/v1/payments", body: repeated)
            #expect(duplicate.status == 422 && duplicate.text.contains("repeats a key"), "\(duplicate.text)")
            // Not JSON's media type.
            let jsonx = try await server.request(
                .POST, "/v1/payments", body: PaymentBodies.bankAccount(clientRef: "MT-1"),
                contentType: "application/jsonx")
            #expect(jsonx.status == 415)
            // The list's client_ref follows the field's pattern; a parameter given twice is refused.
            #expect(try await server.request(.GET, "/v1/payments?client_ref=a%20b").status == 422)
            #expect(try await server.request(.GET, "/v1/payments?limit=1&limit=2").status == 422)
            // A known path with another method: 405 and Allow.
            let delete = try await server.request(.DELETE, "/v1/payments")
            #expect(delete.status == 405)
            #expect(delete.headers.first(name: "Allow") == "GET, POST")
            #expect(try await server.request(.PUT, "/healthz", key: nil).headers.first(name: "Allow") == "GET")
            // An unknown /v1 path: 401 without a key, 404 with one.
            #expect(try await server.request(.GET, "/v1/nothing", key: nil).status == 401)
            #expect(try await server.request(.GET, "/v1/nothing").status == 404)
            for result in [name, hidden, duplicate, jsonx, delete] {
                #expect(result.headers.first(name: "Content-Type") == "application/problem+json")
            }
        }
    }

    @Test("A signed webhook with a NUL in its text is refused as malformed, and nothing is recorded")
    func webhookWithControlCharacters() async throws {
        try await TestServer.with { server in
            let id = try #require(try await server.createPayment().json.string("payment_id"))
            let body = PaymentBodies.webhook(paymentID: id, status: "returned", returnCode: "R01")
                .replacingOccurrences(of: "Insufficient funds", with: #"Insufficient\u0000funds"#)
            let refused = try await server.sendWebhook(body)
            #expect(refused.status == 400)
            #expect(refused.text.contains("/reason"))
            let recorded = try await DatabaseInspector(path: server.databasePath).count("webhook_events")
            #expect(recorded == 0)
        }
    }

    @Test("Per-client rate limit: the client over it gets 429 with Retry-After; another client does not notice")
    func rateLimit() async throws {
        var options = TestServer.Options()
        options.rateLimits.perClient["acme"] = RateLimit(perSecond: 1, burst: 3)
        try await TestServer.with(options) { server in
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await server.request(.GET, "/v1/payments").status) }
            #expect(statuses == [200, 200, 200, 429])
            let refused = try await server.request(.GET, "/v1/payments")
            #expect(refused.status == 429)
            #expect(Int(refused.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            #expect(refused.headers.first(name: "Content-Type") == "application/problem+json")
            for _ in 0..<20 {
                #expect(try await server.request(.GET, "/v1/payments", key: TestClients.globexKey).status == 200)
            }
            let counted = try server.metrics.expectCounter("api_rate_limited_total", [("client", "acme")]).totalValue
            #expect(counted == 2)
        }
    }
}
