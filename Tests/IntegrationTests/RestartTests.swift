import Foundation
import Testing

@Suite("Durability across restarts on the same SQLite file")
struct RestartTests {
    @Test("Restarting serve keeps every payment and resumes the queued submissions")
    func restartResumesQueuedJobs() async throws {
        let path = TestServer.temporaryDatabasePath()
        var down = TestServer.Options()
        down.databasePath = path
        down.embeddedSandbox = true
        down.sandbox.faults.errorRate = 1
        let ids = try await TestServer.with(down) { server in
            var ids: [String] = []
            for index in 0..<5 {
                let created = try await server.createPayment(clientRef: "RESTART-\(index)")
                #expect(created.status == 201)
                ids.append(try #require(created.json.string("payment_id")))
            }
            // Let the worker fail a few submissions so that jobs are mid-retry when the server stops.
            _ = try await server.waitForPayment(ids[0]) { ($0["attempts"] as? Int ?? 0) >= 2 }
            return ids
        }
        #expect(
            try await DatabaseInspector(path: path).count("jobs", where: "state = 'queued' AND kind = 'submit'") == 5)

        var up = TestServer.Options()
        up.databasePath = path
        up.embeddedSandbox = true
        try await TestServer.with(up) { server in
            for id in ids {
                let payment = try await server.waitForStatus(id, "completed")
                #expect(payment.string("status") == "completed", "\(id)")
            }
            let list = try await server.request(.GET, "/v1/payments?limit=100")
            #expect((list.json["data"] as? [Any])?.count == 5)
        }
    }
}
