import Foundation
import Testing

@Suite("Idempotent creation: replays return the original, conflicts are refused")
struct IdempotencyTests {
    @Test("The same Idempotency-Key and body returns 200 with the original payment and one bank submission")
    func idempotencyKeyReplay() async throws {
        try await TestServer.with { server in
            let first = try await server.createPayment(clientRef: "INV-1", idempotencyKey: "key-1")
            #expect(first.status == 201)
            let id = try #require(first.json.string("payment_id"))
            _ = try await server.waitForStatus(id, "completed")
            let again = try await server.createPayment(clientRef: "INV-1", idempotencyKey: "key-1")
            #expect(again.status == 200)
            #expect(again.json.string("payment_id") == id)
            #expect(again.json.string("status") == "completed")
            let stats = try await server.sandboxStats()
            #expect(stats["payments"] as? Int == 1)
            #expect(stats["duplicate_submissions"] as? Int == 0)
            #expect(try await DatabaseInspector(path: server.databasePath).count("payments") == 1)
        }
    }

    @Test("The same client_ref and body without a key is a replay too")
    func clientRefReplay() async throws {
        try await TestServer.with { server in
            let first = try await server.createPayment(clientRef: "INV-2")
            let second = try await server.createPayment(clientRef: "INV-2")
            #expect(first.status == 201)
            #expect(second.status == 200)
            #expect(first.json.string("payment_id") == second.json.string("payment_id"))
            #expect(try await DatabaseInspector(path: server.databasePath).count("jobs", where: "kind = 'submit'") == 1)
        }
    }

    @Test("Concurrent identical requests create one payment")
    func concurrentReplays() async throws {
        try await TestServer.with { server in
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let result = try await server.createPayment(clientRef: "RACE-1", idempotencyKey: "race")
                        return (result.status, result.json.string("payment_id"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1)
            #expect(statuses.filter { $0.0 == 200 }.count == 7)
            #expect(Set(statuses.map(\.1)).count == 1)
        }
    }

    @Test("A reused key or client_ref with a different body is 409 and creates nothing")
    func conflictingReuse() async throws {
        try await TestServer.with { server in
            _ = try await server.createPayment(clientRef: "INV-3", amount: 100, idempotencyKey: "key-3")
            let sameKey = try await server.createPayment(clientRef: "INV-3", amount: 200, idempotencyKey: "key-3")
            #expect(sameKey.status == 409)
            #expect(sameKey.headers.first(name: "Content-Type") == "application/problem+json")
            let sameRef = try await server.createPayment(clientRef: "INV-3", amount: 300)
            #expect(sameRef.status == 409)
            let errors = sameRef.json["errors"] as? [[String: any Sendable]] ?? []
            #expect(errors.first?["pointer"] as? String == "/client_ref")
            #expect(try await DatabaseInspector(path: server.databasePath).count("payments") == 1)
        }
    }

    @Test("Two clients may use the same client_ref independently")
    func clientRefIsPerClient() async throws {
        try await TestServer.with { server in
            let acme = try await server.createPayment(clientRef: "SHARED-1")
            let globex = try await server.createPayment(clientRef: "SHARED-1", key: TestClients.globexKey)
            #expect(acme.status == 201)
            #expect(globex.status == 201)
            #expect(acme.json.string("payment_id") != globex.json.string("payment_id"))
        }
    }
}
