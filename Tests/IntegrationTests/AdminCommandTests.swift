import Foundation
import PaymentsStorage
import Testing

/// `payments admin …` as the engineer on call runs it: a separate process on the server's database.
@Suite("payments admin: operator tools over the database")
struct AdminCommandTests {
    /// Runs `payments admin <arguments>`; returns its exit status and output (stdout and stderr together).
    func admin(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32?, String) {
        // The keys of the in-process servers whose databases these commands open.
        let process = try ManagedProcess(
            name: "admin", arguments: ["admin"] + arguments,
            environment: ["PAYMENTS_DATA_KEYS": TestClients.dataKeysText].merging(environment) { $1 },
            logFolder: CommandLineTests.logFolder)
        let status = await process.waitForExit(timeout: .seconds(30))
        return (status, process.output)
    }

    func json(_ output: String) throws -> Any {
        let line = try #require(output.split(separator: "\n").last)
        return try JSONSerialization.jsonObject(with: Data(line.utf8))
    }

    @Test(
        "payment shows history, jobs and trace id; dead-letters lists the ERP job given up on; requeue queues it again")
    func inspectAndRequeue() async throws {
        var options = TestServer.Options()
        // An ERP that is never there: its update is dead-lettered once the (one-second) retry window is spent.
        options.erpWebhookURL = "http://127.0.0.1:\(freePort())/erp"
        try await TestServer.with(options) { server in
            let created = try await server.createPayment(clientRef: "ADMIN-1")
            let id = try #require(created.json.string("payment_id"))
            let traceID = try #require(created.json.string("trace_id"))
            _ = try await server.waitForStatus(id, "completed")
            let store = try SQLitePaymentStore(path: server.databasePath, ring: TestClients.dataKeys)
            var deadLettered = 0
            for _ in 0..<200 where deadLettered == 0 {
                deadLettered = try await store.deadLetteredJobs(kind: nil, limit: 10).count
                if deadLettered == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(deadLettered == 1)
            let database = ["--database-url", "sqlite:\(server.databasePath)"]

            let (status, text) = try await admin(["payment", id] + database)
            #expect(status == 0, "\(text)")
            for expected in [id, "completed", "ADMIN-1", traceID, "history", "jobs", "submit", "erp_update", "dead"] {
                #expect(text.contains(expected), "\(expected) in:\n\(text)")
            }
            #expect(text.contains("••••6789"))
            #expect(!text.contains("000123456789"), "the full account number is never shown")

            let (_, jsonText) = try await admin(["payment", id, "--json"] + database)
            let payment = try #require(try json(jsonText) as? [String: Any])
            #expect(payment["trace_id"] as? String == traceID)
            #expect(
                (payment["history"] as? [[String: Any]])?.compactMap { $0["status"] as? String }
                    == ["initiated", "processing", "completed"])
            let jobs = try #require(payment["jobs"] as? [[String: Any]])
            #expect(jobs.compactMap { $0["kind"] as? String } == ["submit", "erp_update"])

            let (_, deadText) = try await admin(["dead-letters", "--json"] + database)
            let dead = try #require(try json(deadText) as? [[String: Any]])
            #expect(dead.count == 1)
            #expect(dead.first?["kind"] as? String == "erp_update")
            #expect(dead.first?["payment_id"] as? String == id)
            #expect((dead.first?["result"] as? String)?.isEmpty == false)
            let jobID = try #require(dead.first?["job_id"] as? String)
            let (_, table) = try await admin(["dead-letters", "--kind", "erp_update"] + database)
            #expect(table.contains(jobID))
            #expect(
                try await admin(["dead-letters", "--kind", "submit"] + database).1.contains("no dead-lettered jobs"))

            let (requeueStatus, requeued) = try await admin(["requeue", jobID] + database)
            #expect(requeueStatus == 0)
            #expect(requeued.contains("queued 1 of 1 job(s)"), "\(requeued)")
            #expect(
                try await store.jobs(ofPayment: #require(UUID(uuidString: id))).contains {
                    $0.id.lowercased == jobID && $0.state != "dead"
                })
        }
    }

    @Test("Bad input: an unknown payment, a malformed id, ids with --all, each a clear refusal")
    func refusals() async throws {
        let path = TestServer.temporaryDatabasePath()
        try await SQLitePaymentStore(path: path, ring: TestClients.dataKeys).migrate()
        let database = ["--database-url", "sqlite:\(path)"]
        let unknown = UUID().uuidString.lowercased()
        let (status, text) = try await admin(["payment", unknown] + database)
        #expect(status == 1)
        #expect(text.contains("no payment \(unknown)"))
        let (badStatus, badText) = try await admin(["payment", "1; DROP TABLE payments\u{202E}"] + database)
        #expect(badStatus != 0 && badStatus != nil)
        #expect(!badText.contains("DROP TABLE payments\u{202E}"), "a malformed id is not echoed raw: \(badText)")
        let (bothStatus, _) = try await admin(["requeue", unknown, "--all"] + database)
        #expect(bothStatus != 0)
        let (badURLStatus, badURL) = try await admin(["dead-letters", "--database-url", "mysql://root:hunter2@db/x"])
        #expect(badURLStatus != 0)
        #expect(badURL.contains("--database-url") && !badURL.contains("hunter2"), "\(badURL)")
    }

    @Test("reconcile runs one reconciliation now against BANK_BASE_URL; without a bank URL it says what to set")
    func reconcileNow() async throws {
        var options = TestServer.Options()
        options.sandbox.faults.dropWebhookRate = 1
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "ADMIN-R").json.string("payment_id"))
            _ = try await server.waitForStatus(id, "processing")
            try await Task.sleep(for: .milliseconds(300))  // settled at the bank; its webhook was dropped
            let bank = try #require(server.sandboxURL)
            let environment = [
                "DATABASE_URL": "sqlite:\(server.databasePath)", "BANK_BASE_URL": bank,
                "BANK_CLIENT_ID": "sandbox-client", "BANK_CLIENT_SECRET": "sandbox-secret",
            ]
            let (status, text) = try await admin(["reconcile"], environment: environment)
            #expect(status == 0, "\(text)")
            #expect(text.contains("reconciled:") && text.contains("1 changed"), "\(text)")
            let payment = try await server.request(.GET, "/v1/payments/\(id)").json
            #expect(payment.string("status") == "completed")
            #expect(payment.history.last?["source"] as? String == "reconciliation")

            var noBank = environment
            noBank["BANK_BASE_URL"] = "sandbox"
            let (refused, line) = try await admin(["reconcile"], environment: noBank)
            #expect(refused != 0)
            #expect(line.contains("BANK_BASE_URL") && !line.contains("sandbox-secret"), "\(line)")
        }
    }
}
