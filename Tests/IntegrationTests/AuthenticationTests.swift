import Foundation
import Testing

@Suite("API keys and client isolation")
struct AuthenticationTests {
    @Test("No key or a wrong key is 401 problem+json with a Bearer challenge")
    func missingOrWrongKey() async throws {
        try await TestServer.with { server in
            for key in [nil, "sk_wrong_0123456789abcdef"] as [String?] {
                let result = try await server.request(
                    .POST, "/v1/payments", body: PaymentBodies.bankAccount(clientRef: "A"), key: key)
                #expect(result.status == 401)
                #expect(result.headers.first(name: "Content-Type") == "application/problem+json")
                #expect(result.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
                let list = try await server.request(.GET, "/v1/payments", key: key)
                #expect(list.status == 401)
            }
            #expect(try await DatabaseInspector(path: server.databasePath).count("payments") == 0)
        }
    }

    @Test("Another client's payment is 404, in get and in list")
    func crossClientIsNotFound() async throws {
        try await TestServer.with { server in
            let created = try await server.createPayment(clientRef: "ACME-1")
            let id = try #require(created.json.string("payment_id"))
            let asGlobex = try await server.request(.GET, "/v1/payments/\(id)", key: TestClients.globexKey)
            #expect(asGlobex.status == 404)
            #expect(asGlobex.headers.first(name: "Content-Type") == "application/problem+json")
            let globexList = try await server.request(
                .GET, "/v1/payments?client_ref=ACME-1", key: TestClients.globexKey)
            #expect((globexList.json["data"] as? [Any])?.isEmpty == true)
            let asAcme = try await server.request(.GET, "/v1/payments/\(id)")
            #expect(asAcme.status == 200)
            let unknown = try await server.request(.GET, "/v1/payments/\(UUID().uuidString.lowercased())")
            #expect(unknown.status == 404)
            let malformed = try await server.request(.GET, "/v1/payments/not-a-uuid")
            #expect(malformed.status == 404)
        }
    }

    @Test("Listing pages through a client's payments newest first, filtered by client_ref and status")
    func listPagination() async throws {
        var options = TestServer.Options()
        options.sandbox.processingDelay = .seconds(3600)
        options.sandbox.settlementDelay = .seconds(3600)
        try await TestServer.with(options) { server in
            var ids: [String] = []
            for index in 0..<7 {
                ids.append(
                    try #require(try await server.createPayment(clientRef: "PAGE-\(index)").json.string("payment_id")))
            }
            _ = try await server.createPayment(clientRef: "OTHER", key: TestClients.globexKey)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = "/v1/payments?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await server.request(.GET, query)
                #expect(page.status == 200)
                let data = page.json["data"] as? [[String: any Sendable]] ?? []
                #expect(data.count <= 3)
                seen += data.compactMap { $0["payment_id"] as? String }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            let filtered = try await server.request(.GET, "/v1/payments?client_ref=PAGE-3")
            #expect((filtered.json["data"] as? [[String: any Sendable]])?.first?["payment_id"] as? String == ids[3])
            _ = try await server.waitForStatus(ids[0], "processing")
            let processing = try await server.request(.GET, "/v1/payments?status=completed")
            #expect((processing.json["data"] as? [Any])?.isEmpty == true)
        }
    }
}
