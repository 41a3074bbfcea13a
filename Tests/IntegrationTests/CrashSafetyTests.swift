import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PaymentsStorage
import PostgresNIO
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real processes on PostgreSQL: `payments serve` (one or two) and `payments bank-sandbox`, under concurrent load,
/// with the server SIGKILLed and the database restarted. Afterwards every accepted payment is settled exactly once.
@Suite("Crash safety under load on PostgreSQL", .serialized)
struct CrashSafetyTests {
    static let paymentCount = 500

    @Test("SIGKILL twice mid-load: every accepted payment settles, none lost or duplicated, no double submission")
    func killedTwiceMidLoad() async throws {
        try await withCluster(databaseURL: try await PostgresTestDatabase.create(), servers: 1) { cluster in
            let outcome = try await cluster.drive(count: Self.paymentCount) { progress in
                if progress == 150 || progress == 350 {
                    await cluster.killAndRestart(server: 0)
                }
            }
            #expect(cluster.kills.withLock { $0 } == 2)
            try await cluster.expectInvariants(outcome)
        }
    }

    @Test("Two serve processes on one database share the work, one of them killed mid-load")
    func twoProcessesShareTheWork() async throws {
        try await withCluster(databaseURL: try await PostgresTestDatabase.create(), servers: 2) { cluster in
            let outcome = try await cluster.drive(count: Self.paymentCount) { progress in
                if progress == 250 { await cluster.killAndRestart(server: 1) }
            }
            try await cluster.expectInvariants(outcome)
            // Both processes ran jobs.
            for server in cluster.servers.withLock({ $0 }) {
                #expect(server.output.contains("\"job_kind\":\"submit\""), "\(server.name) ran no job")
            }
        }
    }

    @Test("An API-only instance (no workers) takes requests and webhooks; a worker instance works its queue")
    func apiOnlyAndWorkerInstances() async throws {
        let databaseURL = try await PostgresTestDatabase.create()
        try await withCluster(
            databaseURL: databaseURL, servers: 2, overrides: [0: ["PAYMENTS_WORKER_CONCURRENCY": "0"]]
        ) { cluster in
            let outcome = try await cluster.drive(count: 200) { _ in }
            try await cluster.expectInvariants(outcome)
            let servers = cluster.servers.withLock { $0 }
            #expect(!servers[0].output.contains("\"job_kind\""), "the API-only instance ran a job")
            #expect(servers[1].output.contains("\"job_kind\":\"submit\""), "the worker instance ran no submission")
            // Keys in clear with a real bank: said once at start-up.
            #expect(servers[1].output.contains("PAYMENTS_API_KEYS holds client keys in clear"))
        }
    }

    @Test("PostgreSQL stopped mid-load: 503s while it is down, full recovery after")
    func databaseRestartMidLoad() async throws {
        let database = try PostgresCluster()
        defer { database.destroy() }
        try await withCluster(databaseURL: database.url, servers: 1) { cluster in
            let outcome = try await cluster.drive(count: Self.paymentCount) { progress in
                if progress == 200 {
                    try? database.stop()
                    // While it is down the API answers 503 problem+json within the store's deadline.
                    let started = ContinuousClock.now
                    let result = try? await cluster.create(index: 100_000, server: 0, client: TestHTTP.probe)
                    #expect(result?.status == 503)
                    #expect(ContinuousClock.now - started < .seconds(5))
                    let ready = try? await cluster.get("/readyz", server: 0, client: TestHTTP.probe)
                    #expect(ready?.status == 503)
                    try? await Task.sleep(for: .seconds(2))
                    try? database.start()
                }
            }
            #expect(outcome.unavailable > 0)
            try await cluster.expectInvariants(outcome)
        }
    }

    private func withCluster(
        databaseURL: String, servers: Int, overrides: [Int: [String: String]] = [:],
        _ body: (ProcessCluster) async throws -> Void
    ) async throws {
        let cluster = try ProcessCluster(databaseURL: databaseURL, serverCount: servers, overrides: overrides)
        defer { cluster.stopAll() }
        try await cluster.start()
        try await body(cluster)
    }
}

/// The processes of one crash test and the load that drives them.
final class ProcessCluster: Sendable {
    let databaseURL: String
    let sandboxPort = freePort()
    let serverPorts: [Int]
    let servers = Mutex<[ManagedProcess]>([])
    let sandbox = Mutex<ManagedProcess?>(nil)
    let kills = Mutex(0)
    let logFolder = CommandLineTests.logFolder

    struct Outcome {
        /// How many payments the driver was asked to create; every one must have been accepted.
        var requested: Int
        var paymentIDs: [Int: String]
        var unavailable: Int
    }

    /// Settings added to (or replacing) ``serverEnvironment`` for some of the servers, by index.
    let overrides: [Int: [String: String]]
    /// Flags added to `payments bank-sandbox` (its faults).
    let sandboxArguments: [String]

    init(
        databaseURL: String, serverCount: Int, overrides: [Int: [String: String]] = [:],
        sandboxArguments: [String] = []
    ) throws {
        self.databaseURL = databaseURL
        self.overrides = overrides
        self.sandboxArguments = sandboxArguments
        serverPorts = (0..<serverCount).map { _ in freePort() }
    }

    var serverEnvironment: [String: String] {
        [
            "DATABASE_URL": databaseURL, "PAYMENTS_API_KEYS": "acme:\(TestClients.acmeKey)",
            "BANK_BASE_URL": "http://127.0.0.1:\(sandboxPort)", "BANK_CLIENT_ID": "sandbox-client",
            "BANK_CLIENT_SECRET": "sandbox-secret", "BANK_WEBHOOK_SECRET": TestClients.webhookSecret,
            "PAYMENTS_JOB_LEASE_SECONDS": "12", "LOG_LEVEL": "info",
            // The load here is the point, not the client's rate limit.
            "PAYMENTS_RATE_LIMITS": "default=1000000/1000000", "PAYMENTS_DATA_KEYS": TestClients.dataKeysText,
        ]
    }

    func start() async throws {
        let sandboxProcess = try ManagedProcess(
            name: "sandbox",
            arguments: [
                "bank-sandbox", "--port", "\(sandboxPort)", "--webhook-url",
                "http://127.0.0.1:\(serverPorts[0])/webhook/payments",
            ] + sandboxArguments,
            environment: ["BANK_WEBHOOK_SECRET": TestClients.webhookSecret, "LOG_LEVEL": "warning"],
            logFolder: logFolder
        )
        sandbox.withLock { $0 = sandboxProcess }
        for index in serverPorts.indices { try startServer(index) }
        try await waitHealthy("http://127.0.0.1:\(sandboxPort)/healthz")
        for port in serverPorts { try await waitHealthy("http://127.0.0.1:\(port)/readyz") }
    }

    private func startServer(_ index: Int) throws {
        let process = try ManagedProcess(
            name: "serve\(index)", arguments: ["serve", "--port", "\(serverPorts[index])"],
            environment: serverEnvironment.merging(overrides[index] ?? [:]) { $1 }, logFolder: logFolder
        )
        servers.withLock { list in
            if list.count > index { list[index] = process } else { list.append(process) }
        }
    }

    func killAndRestart(server index: Int) async {
        let process = servers.withLock { $0[index] }
        process.signal(SIGKILL)
        _ = await process.waitForExit(timeout: .seconds(5))
        kills.withLock { $0 += 1 }
        try? startServer(index)
        try? await waitHealthy("http://127.0.0.1:\(serverPorts[index])/healthz")
    }

    func stopAll() {
        for process in servers.withLock({ $0 }) { process.signal(SIGKILL) }
        sandbox.withLock { $0 }?.signal(SIGKILL)
    }

    private func waitHealthy(_ url: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
                response.status.code == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ContractFailure("\(url) did not become healthy")
    }

    func create(index: Int, server: Int, client http: HTTPClient = TestHTTP.load) async throws -> HTTPResult {
        let client = TestServer(
            baseURL: "http://127.0.0.1:\(serverPorts[server])", sandboxURL: nil, logs: .init(), databasePath: "",
            client: http)
        return try await client.createPayment(
            clientRef: "CRASH-\(index)", amount: 100 + index, idempotencyKey: "crash-\(index)")
    }

    func get(_ path: String, server: Int, client http: HTTPClient = TestHTTP.load) async throws -> HTTPResult {
        let client = TestServer(
            baseURL: "http://127.0.0.1:\(serverPorts[server])", sandboxURL: nil, logs: .init(), databasePath: "",
            client: http)
        return try await client.request(.GET, path)
    }

    /// A GET on the sandbox: the bank's API with the sandbox's API key, or its controls.
    func bank(_ path: String) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(sandboxPort)" + path)
        request.headers.add(name: "X-API-Key", value: "sandbox-api-key")
        let response = try await TestHTTP.load.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 22)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
    }

    /// Creates `count` payments, 32 at a time, as a careful client would: a lost answer or a 503 is retried with the
    /// same Idempotency-Key. `onProgress` runs (in order) after each success.
    func drive(count: Int, onProgress: @escaping @Sendable (Int) async -> Void) async throws -> Outcome {
        let tally = LoadTally()
        let hooks = AsyncStream<Int>.makeStream()
        async let hookRunner: Void = {
            for await value in hooks.stream { await onProgress(value) }
        }()
        // Finish the stream on every path, or the hook runner (awaited when this scope ends) would wait forever.
        defer { hooks.continuation.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 32 { try await group.next() }
                group.addTask {
                    try await self.createUntilAccepted(index: index, tally: tally) {
                        hooks.continuation.yield($0)
                    }
                }
            }
            try await group.waitForAll()
        }
        hooks.continuation.finish()
        await hookRunner
        return Outcome(
            requested: count, paymentIDs: tally.ids.withLock { $0 }, unavailable: tally.unavailable.withLock { $0 })
    }

    private func createUntilAccepted(
        index: Int, tally: LoadTally, accepted: @Sendable (Int) -> Void
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let result = try? await create(index: index, server: index % serverPorts.count) {
                if result.status == 201 || result.status == 200, let id = result.json.string("payment_id") {
                    tally.ids.withLock { $0[index] = id }
                    accepted(
                        tally.progress.withLock { value -> Int in
                            value += 1
                            return value
                        })
                    return
                }
                if result.status == 503 { tally.unavailable.withLock { $0 += 1 } }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ContractFailure("payment \(index) was never accepted")
    }

    /// Every accepted payment reaches a terminal status, exactly one payment per client_ref, and the bank saw each
    /// once.
    func expectInvariants(_ outcome: Outcome) async throws {
        #expect(outcome.paymentIDs.count == outcome.requested)
        #expect(Set(outcome.paymentIDs.values).count == outcome.paymentIDs.count)
        try await PostgresTestDatabase.withClient(url: databaseURL) { client in
            let deadline = ContinuousClock.now + .seconds(180)
            var pending = -1
            while ContinuousClock.now < deadline {
                let rows = try await client.query(
                    "SELECT count(*) FROM payments WHERE status IN ('initiated', 'processing')")
                for try await (count) in rows.decode(Int.self) { pending = count }
                if pending == 0 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(pending == 0, "payments still not settled")
            var total = 0
            var distinctRefs = 0
            for try await (count, refs) in try await client.query(
                "SELECT count(*), count(DISTINCT client_ref) FROM payments WHERE client_ref LIKE 'CRASH-%'"
            ).decode((Int, Int).self) {
                total = count
                distinctRefs = refs
            }
            #expect(total == outcome.paymentIDs.count)
            #expect(distinctRefs == total)
            for try await (id, status) in try await client.query(
                "SELECT id::text, status FROM payments WHERE client_ref LIKE 'CRASH-%'"
            ).decode((String, String).self) {
                #expect(outcome.paymentIDs.values.contains(id), "unexpected payment \(id)")
                #expect(["completed", "returned", "failed"].contains(status))
            }
        }
        let stats = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(sandboxPort)/sandbox/stats"), timeout: .seconds(5)
        )
        let body = try await stats.body.collect(upTo: 1 << 16)
        let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
        #expect(json["duplicate_submissions"] as? Int == 0)
        #expect(json["payments"] as? Int == outcome.paymentIDs.count)
    }
}

/// What the load driver saw.
final class LoadTally: Sendable {
    let ids = Mutex<[Int: String]>([:])
    let unavailable = Mutex(0)
    let progress = Mutex(0)
}
