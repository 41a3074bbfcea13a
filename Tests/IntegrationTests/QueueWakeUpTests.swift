import Foundation
import PostgresNIO
import Testing

/// Real processes on PostgreSQL at their default polling (every 5 s while notifications arrive): an API-only instance
/// takes the payments, a worker instance must hear of each at once through the notification its creating
/// transaction sends, also after its listening connection is killed.
@Suite("Work queued on one instance wakes the others", .serialized)
struct QueueWakeUpTests {
    @Test("Each payment created on an API-only instance is submitted by the worker instance within a second or two")
    func notifiedAcrossInstances() async throws {
        let databaseURL = try await PostgresTestDatabase.create()
        let cluster = try ProcessCluster(
            databaseURL: databaseURL, serverCount: 2, overrides: [0: ["PAYMENTS_WORKER_CONCURRENCY": "0"]])
        defer { cluster.stopAll() }
        try await cluster.start()
        try await Task.sleep(for: .seconds(1))
        // Polling alone (every 5 s) would leave each payment initiated for 2.5 s on average: eight in a row all
        // under 2 s would be a chance of 0.4^8.
        var waits = try await submissionWaits(cluster, from: 0, count: 8)
        #expect(waits.max()! < .seconds(2), "\(waits)")
        let worker = cluster.servers.withLock { $0[1] }
        // Listening all along: the quick submissions above came from notifications, not from polling every 250 ms.
        #expect(!worker.output.contains("Not listening for queued work"))

        // The listening connection dies: the worker polls quickly until it listens again, so nothing waits long.
        let terminated = try await PostgresTestDatabase.withClient(url: databaseURL) { client in
            let rows = try await client.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                    AND query LIKE '%listening_for_queued_work%'
                """)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
        #expect(terminated == 1)
        waits = try await submissionWaits(cluster, from: 100, count: 4)
        #expect(waits.max()! < .seconds(2), "\(waits)")
        try await Task.sleep(for: .seconds(2))
        waits = try await submissionWaits(cluster, from: 200, count: 8)
        #expect(waits.max()! < .seconds(2), "\(waits)")
        #expect(worker.output.contains("Not listening for queued work; polling until listening again"))
    }

    /// Creates `count` payments one after another on the API-only instance and returns how long each stayed
    /// `initiated` (created, not yet answered by the bank).
    private func submissionWaits(_ cluster: ProcessCluster, from first: Int, count: Int) async throws -> [Duration] {
        var waits: [Duration] = []
        for index in first..<(first + count) {
            let started = ContinuousClock.now
            let created = try await cluster.create(index: index, server: 0)
            #expect(created.status == 201)
            let id = try #require(created.json["payment_id"] as? String)
            while ContinuousClock.now - started < .seconds(10) {
                let payment = try await cluster.get("/v1/payments/\(id)", server: 0)
                let status = try #require(payment.json["status"] as? String, "\(payment.status) \(payment.text)")
                if status != "initiated" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            waits.append(ContinuousClock.now - started)
            try await Task.sleep(for: .milliseconds(300))
        }
        return waits
    }
}
