import Foundation
import PaymentsCore
import PaymentsSupport
import PostgresNIO

extension PostgresPaymentStore {
    /// The condition of an `initiated` payment (`p`) that no submission job will move any more.
    static let noActiveSubmission = """
        NOT EXISTS (SELECT 1 FROM jobs j
            WHERE j.payment_id = p.id AND j.kind = 'submit' AND j.state IN ('queued', 'running'))
        """

    public func reconciliationCandidates(
        now: Date, stuckBefore: Date, returnWindowStart: Date, limit: Int
    ) async throws -> [Payment] {
        try await statement("reconciliationCandidates") { connection in
            try await self.rows(
                connection,
                """
                SELECT \(unescaped: Self.paymentColumns(as: "p")) FROM payments p
                WHERE (p.reconcile_after IS NULL OR p.reconcile_after <= \(PostgresTimestamp(now)))
                  AND p.updated_at < \(PostgresTimestamp(stuckBefore))
                  AND (p.status = 'processing'
                    OR (p.status = 'completed' AND p.updated_at >= \(PostgresTimestamp(returnWindowStart)))
                    OR (p.status = 'initiated' AND \(unescaped: Self.noActiveSubmission)))
                ORDER BY p.updated_at LIMIT \(Int64(max(1, limit)))
                """
            ).map { try Self.decodePayment($0, ring: self.ring).payment }
        }
    }

    public func scheduleReconciliation(_ nextCheck: [UUID: Date]) async throws {
        guard !nextCheck.isEmpty else { return }
        let ids = Array(nextCheck.keys)
        let times = ids.map { PostgresTimestamp(nextCheck[$0]!) }
        _ = try await statement("scheduleReconciliation") { connection in
            try await self.execute(
                connection,
                """
                UPDATE payments SET reconcile_after = schedule.next_check
                FROM unnest(\(ids)::uuid[], \(times)::timestamptz[]) AS schedule (id, next_check)
                WHERE payments.id = schedule.id
                """
            )
        }
    }

    public func payments(ids: [UUID]) async throws -> [Payment] {
        guard !ids.isEmpty else { return [] }
        return try await statement("paymentsByID") { connection in
            try await self.rows(
                connection, "SELECT \(unescaped: Self.paymentColumns) FROM payments WHERE id = ANY(\(ids))"
            ).map { try Self.decodePayment($0, ring: self.ring).payment }
        }
    }

    public func reconciliationBacklog(stuckBefore: Date, now: Date) async throws -> ReconciliationBacklog {
        let stuck = PostgresTimestamp(stuckBefore)
        // One statement, one snapshot: no transaction around it (its three round trips would triple an idle
        // instance's queries, which this sampled read dominates).
        return try await statement("reconciliationBacklog") { connection in
            let rows = try await self.rows(
                connection,
                """
                SELECT
                    (SELECT count(*) FROM payments p WHERE p.status = 'initiated' AND \(unescaped: Self.noActiveSubmission)),
                    (SELECT count(*) FROM payments WHERE status = 'processing' AND updated_at < \(stuck)),
                    (SELECT min(p.updated_at) FROM payments p
                     WHERE (p.status = 'processing' AND p.updated_at < \(stuck))
                        OR (p.status = 'initiated' AND \(unescaped: Self.noActiveSubmission)))
                """
            )
            guard let row = rows.first else {
                return ReconciliationBacklog(unconfirmedSubmissions: 0, stuckProcessing: 0, oldestAge: 0)
            }
            let (unconfirmed, processing, oldest) = try row.decode((Int64, Int64, PostgresTimestamp?).self)
            return ReconciliationBacklog(
                unconfirmedSubmissions: Int(unconfirmed), stuckProcessing: Int(processing),
                oldestAge: oldest.map { max(0, now.timeIntervalSince($0.date)) } ?? 0
            )
        }
    }

    public func claimReconciliationRun(_ name: String, now: Date, lease: Duration) async throws -> ReconciliationRun? {
        let until = PostgresTimestamp(microseconds: now.microseconds + lease.wholeMicroseconds)
        return try await transaction("claimReconciliationRun") { connection in
            try await self.execute(
                connection, "INSERT INTO reconciliation_state (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING"
            )
            let rows = try await self.rows(
                connection,
                """
                UPDATE reconciliation_state SET lease_until = \(until)
                WHERE name = \(name) AND lease_until <= \(PostgresTimestamp(now))
                RETURNING watermark
                """
            )
            guard let row = rows.first else { return nil }
            return ReconciliationRun(watermark: try row.decode(PostgresTimestamp?.self)?.date)
        }
    }

    public func finishReconciliationRun(_ name: String, watermark: Date?) async throws {
        _ = try await statement("finishReconciliationRun") { connection in
            try await self.execute(
                connection,
                """
                UPDATE reconciliation_state SET lease_until = 'epoch',
                    watermark = COALESCE(\(watermark.map(PostgresTimestamp.init)), watermark)
                WHERE name = \(name)
                """
            )
        }
    }

    public func jobs(ofPayment paymentID: UUID) async throws -> [JobRecord] {
        try await statement("jobsOfPayment") { connection in
            try await self.rows(
                connection,
                "SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE payment_id = \(paymentID) ORDER BY created_at, id"
            ).map(Self.decodeJobRecord)
        }
    }

    public func deadLetteredJobs(kind: JobKind?, limit: Int) async throws -> [JobRecord] {
        try await statement("deadLetteredJobs") { connection in
            try await self.rows(
                connection,
                """
                SELECT \(unescaped: Self.jobColumns) FROM jobs
                WHERE state = 'dead' AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
                ORDER BY updated_at DESC LIMIT \(Int64(max(1, limit)))
                """
            ).map(Self.decodeJobRecord)
        }
    }

    public func requeueDeadLetteredJobs(_ ids: [UUID], now: Date) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let at = PostgresTimestamp(now)
        return try await statement("requeueDeadLetteredJobs") { connection in
            try await self.rows(
                connection,
                """
                UPDATE jobs
                SET state = 'queued', attempts = 0, run_at = \(at), result = NULL, created_at = \(at), updated_at = \(at)
                WHERE id = ANY(\(ids)) AND state = 'dead'
                RETURNING id
                """
            ).count
        }
    }

    static let jobColumns = "id, kind, payment_id, state, attempts, run_at, last_error, result, created_at, updated_at"

    static func decodeJobRecord(_ row: PostgresRow) throws -> JobRecord {
        let (id, kindText, paymentID, state, attempts, runAt, lastError, result, createdAt, updatedAt) = try row.decode(
            (
                UUID, String, UUID, String, Int32, PostgresTimestamp, String?, String?, PostgresTimestamp,
                PostgresTimestamp
            ).self
        )
        guard let kind = JobKind(rawValue: kindText) else {
            throw StoreError(.corrupt, debugDescription: "unreadable job row")
        }
        return JobRecord(
            id: id, kind: kind, paymentID: paymentID, state: state, attempts: Int(attempts), runAt: runAt.date,
            lastError: lastError, result: result, createdAt: createdAt.date, updatedAt: updatedAt.date
        )
    }
}
