import AsyncHTTPClient
import Foundation
import Testing

@Suite("The payments executable")
struct CommandLineTests {
    static let logFolder: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("payments-process-logs").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }()

    @Test("serve on the embedded default settles a payment and exits 0 on SIGTERM after finishing its work")
    func serveAndGracefulShutdown() async throws {
        let port = freePort()
        let folder = TestServer.temporaryDatabasePath()
        let process = try ManagedProcess(
            name: "serve", arguments: ["serve", "--port", "\(port)", "--database-url", "sqlite:\(folder)"],
            environment: ["PAYMENTS_API_KEYS": "acme:\(TestClients.acmeKey)", "BANK_BASE_URL": "sandbox"],
            logFolder: Self.logFolder
        )
        let server = TestServer(
            baseURL: "http://127.0.0.1:\(port)", sandboxURL: nil, logs: .init(), databasePath: folder)
        try await waitUntilHealthy(server)
        let created = try await server.createPayment(clientRef: "CLI-1")
        #expect(created.status == 201)
        let id = try #require(created.json.string("payment_id"))
        #expect(try await server.waitForStatus(id, "completed").string("status") == "completed")

        process.signal(SIGTERM)
        let status = await process.waitForExit(timeout: .seconds(15))
        #expect(status == 0, "\(process.output.suffix(2000))")
        #expect(process.output.contains("Job worker stopped"))
        #expect(!process.output.contains(TestClients.acmeKey))
    }

    @Test("api-key new prints a key and an entry that work as printed: hashed keys authenticate, others are refused")
    func apiKeyNew() async throws {
        let created = try ManagedProcess(
            name: "api-key", arguments: ["api-key", "new", "--client", "erp"], environment: [:],
            logFolder: Self.logFolder)
        #expect(await created.waitForExit(timeout: .seconds(15)) == 0)
        let lines = created.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let key = try #require(lines.first { $0.hasPrefix("sk_") })
        let entry = try #require(lines.first { $0.hasPrefix("erp:sha256:") })
        #expect(!entry.contains(key))

        let port = freePort()
        let serve = try ManagedProcess(
            name: "serve-hashed",
            arguments: [
                "serve", "--port", "\(port)", "--database-url", "sqlite:\(TestServer.temporaryDatabasePath())",
            ],
            environment: ["PAYMENTS_API_KEYS": entry, "BANK_BASE_URL": "sandbox"], logFolder: Self.logFolder)
        let server = TestServer(
            baseURL: "http://127.0.0.1:\(port)", sandboxURL: nil, logs: .init(), databasePath: "")
        try await waitUntilHealthy(server)
        #expect(try await server.request(.GET, "/v1/payments", key: key).status == 200)
        // Another last character; a fixed one would be the same key whenever the key already ends in it.
        let altered = String(key.dropLast()) + (key.hasSuffix("0") ? "1" : "0")
        #expect(try await server.request(.GET, "/v1/payments", key: altered).status == 401)
        #expect(try await server.createPayment(clientRef: "HASHED-1", key: key).status == 201)
        serve.signal(SIGTERM)
        _ = await serve.waitForExit(timeout: .seconds(15))
        #expect(!serve.output.contains(key))
    }

    @Test("A bad setting stops start-up with one line naming it, without echoing secrets")
    func badSettings() async throws {
        let cases: [([String: String], String)] = [
            (["PAYMENTS_PORT": "eighty"], "PAYMENTS_PORT"),
            (["DATABASE_URL": "mysql://root:hunter2@db/payments"], "DATABASE_URL"),
            (["PAYMENTS_API_KEYS": "erp:short-secret"], "PAYMENTS_API_KEYS"),
            (
                [
                    "BANK_BASE_URL": "http://127.0.0.1:9", "PAYMENTS_API_KEYS": "erp:\(TestClients.acmeKey)",
                    "BANK_WEBHOOK_SECRET": "whsec_hunter2", "BANK_CLIENT_SECRET": "hunter2",
                ], "BANK_CLIENT_ID"
            ),
            (["LOG_LEVEL": "loud"], "LOG_LEVEL"),
            // Client keys without a bank: a deployment that forgot its bank must not settle against the sandbox.
            (["PAYMENTS_API_KEYS": "erp:\(TestClients.acmeKey)"], "BANK_BASE_URL"),
            // No workers is for instances sharing PostgreSQL; on SQLite nothing would ever work the queue.
            (["PAYMENTS_WORKER_CONCURRENCY": "0"], "PAYMENTS_WORKER_CONCURRENCY"),
        ]
        for (environment, setting) in cases {
            // No flags: each case must fail on its environment variable before anything binds or opens a file.
            let process = try ManagedProcess(
                name: "bad-setting", arguments: ["serve"], environment: environment, logFolder: Self.logFolder)
            let status = await process.waitForExit(timeout: .seconds(15))
            #expect(status != nil && status != 0, "\(setting)")
            let lines = process.output.split(separator: "\n")
            #expect(lines.count == 1, "\(process.output)")
            #expect(process.output.contains(setting), "\(process.output)")
            #expect(!process.output.contains("hunter2"), "\(process.output)")
            #expect(!process.output.contains("short-secret"), "\(process.output)")
        }
    }

    private func waitUntilHealthy(_ server: TestServer) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let result = try? await server.request(.GET, "/healthz", key: nil), result.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("server did not become healthy")
    }
}
