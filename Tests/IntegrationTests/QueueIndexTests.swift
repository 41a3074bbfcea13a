import Foundation
import Logging
import PaymentsCore
import PostgresNIO
import Testing

@testable import PaymentsStorage

/// The job queue keeps finished jobs until their retention ends, so its table is mostly finished work: every statement
/// the queue runs (the worker's claims and outcomes, the queue metrics, reconciliation's look at submissions, the
/// retention delete, the operator's views) must find its rows through an index, or its cost grows with the history.
@Suite("The queue's statements use indexes, however many finished jobs the table keeps", .serialized)
struct QueueIndexTests {
    /// Payments with finished work (completed, as most are), ten finished jobs each.
    static let payments = 2_000
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Without ANALYZE, as the service runs SQLite: its planner then takes an index on equality as selective.
    @Test("SQLite: the queue's statements step through no full scan")
    func sqlite() async throws {
        let store = try SQLitePaymentStore(path: TestServer.temporaryDatabasePath(), ring: TestClients.dataKeys)
        try await store.migrate()
        try await Self.createPayments(store)
        try await store.database.write { db in
            try db.execute(
                """
                UPDATE jobs SET state = 'succeeded';
                UPDATE payments SET status = 'completed';
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10),
                numbered AS (SELECT p.id AS payment_id, ROW_NUMBER() OVER () AS r FROM payments p, n)
                INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, created_at, updated_at)
                SELECT printf('00000000-0000-4000-8000-%012d', r), 'erp_update', payment_id, 'succeeded', 1,
                    \(Self.now.microseconds), \(Self.now.microseconds), \(Self.now.microseconds) + r
                FROM numbered;
                """)
        }
        let before = try await store.database.read { $0.fullScanSteps }
        try await Self.runQueue(store)
        let steps = try await store.database.read { $0.fullScanSteps } - before
        #expect(steps < 1_000, "\(steps) rows stepped through in full scans")
    }

    @Test("PostgreSQL: the queue's statements make no sequential scan of the jobs or events tables")
    func postgres() async throws {
        let url = try await PostgresTestDatabase.create()
        try await PostgresTestDatabase.withClient(url: url) { client in
            let store = PostgresPaymentStore(
                client: client, logger: Logger(label: "pg-test"), ring: TestClients.dataKeys)
            try await store.migrate()
            try await Self.createPayments(store)
            try await client.query("UPDATE jobs SET state = 'succeeded'")
            try await client.query("UPDATE payments SET status = 'completed'")
            try await client.query(
                """
                INSERT INTO jobs (id, kind, payment_id, state, attempts, run_at, created_at, updated_at)
                SELECT gen_random_uuid(), 'erp_update', p.id, 'succeeded', 1, \(PostgresTimestamp(Self.now)),
                    \(PostgresTimestamp(Self.now)), \(PostgresTimestamp(Self.now)) + i * interval '1 millisecond'
                FROM payments p, generate_series(1, 10) AS i
                """)
            try await client.query("ANALYZE")
            // Each backend publishes its counts within PGSTAT_IDLE_INTERVAL (10 s) of going idle: the set-up's
            // own scans first, then the queue's.
            try await Task.sleep(for: .seconds(11))
            let before = try await Self.sequentialScans(client)
            try await Self.runQueue(store)
            try await Task.sleep(for: .seconds(11))
            let after = try await Self.sequentialScans(client)
            #expect(after == before, "sequential scans of jobs and events: \(before) before, \(after) after")
        }
    }

    private static func sequentialScans(_ client: PostgresClient) async throws -> Int64 {
        let rows = try await client.query(
            "SELECT sum(seq_scan)::int8 FROM pg_stat_user_tables WHERE relname IN ('jobs', 'client_events')")
        for try await seqScan in rows.decode(Int64.self) { return seqScan }
        throw ContractFailure("no statistics for jobs")
    }

    /// ``payments`` payments, sixteen creates at a time.
    private static func createPayments(_ store: any PaymentStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<payments {
                if index >= 16 { try await group.next() }
                group.addTask { _ = try await created(store) }
            }
            try await group.waitForAll()
        }
    }

    private static func created(_ store: any PaymentStore) async throws -> Payment {
        guard case .created(let payment) = try await store.create(PaymentStoreContractTests.newPayment(at: now)) else {
            throw ContractFailure("expected .created")
        }
        return payment
    }

    /// A payment through the queue, with every read of it the service makes.
    private static func runQueue(_ store: any PaymentStore) async throws {
        let later = now.addingTimeInterval(60)
        let payment = try await created(store)
        _ = try await store.queueStats(now: later)
        guard let claimed = try await store.claimJobWithPayment(kinds: [.submit], now: later, lease: .seconds(30))
        else {
            throw ContractFailure("expected the submit job")
        }
        let accepted = PaymentEvent(status: .processing, source: .bank, occurredAt: later, bankRef: "B-1")
        _ = try await store.finish(claimed.job, result: .succeeded, event: accepted, now: later)
        let settled = WebhookEvent(
            eventID: "evt-settled", paymentID: payment.id, bankRef: "B-1", status: .completed, returnCode: nil,
            reason: nil, occurredAt: later)
        _ = try await store.recordWebhook(settled, receivedAt: later)
        guard let followUp = try await store.claimJob(kinds: [.erpUpdate], now: later, lease: .seconds(30)) else {
            throw ContractFailure("expected the ERP job")
        }
        try await store.reschedule(followUp, runAt: later, error: "ERP down", refundAttempt: false, now: later)
        _ = try await store.claimJob(kinds: [.erpUpdate], now: later.addingTimeInterval(31), lease: .seconds(30))
        _ = try await store.queueStats(now: later)
        _ = try await store.jobs(ofPayment: payment.id)
        _ = try await store.deadLetteredJobs(kind: nil, limit: 10)
        _ = try await store.reconciliationCandidates(
            now: later, stuckBefore: later, returnWindowStart: now, limit: 100)
        _ = try await store.reconciliationBacklog(stuckBefore: later, now: later)
        _ = try await store.deliveryBacklog(now: later)
        _ = try await store.claimDelivery(now: later, lease: .seconds(30), busy: [])
        #expect(try await store.deleteFinishedJobs(finishedBefore: now.addingTimeInterval(30), limit: 1_000) == 1_000)
        // The payments' events (created, completed) are as old: the event retention's batches.
        #expect(try await store.deleteEvents(createdBefore: now.addingTimeInterval(30), limit: 500) == 500)
    }
}
