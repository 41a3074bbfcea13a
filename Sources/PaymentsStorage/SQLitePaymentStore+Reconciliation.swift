import Foundation
import PaymentsCore
import PaymentsSupport

extension SQLitePaymentStore {
    public func reconciliationCandidates(
        now: Date, stuckBefore: Date, returnWindowStart: Date, limit: Int
    ) async throws -> [Payment] {
        try await database.read { db in
            try db.query(
                """
                SELECT \(Self.paymentColumns) FROM payments p
                WHERE (p.reconcile_after IS NULL OR p.reconcile_after <= ?) AND p.updated_at < ?
                  AND (p.status = 'processing'
                    OR (p.status = 'completed' AND p.updated_at >= ?)
                    OR (p.status = 'initiated' AND NOT EXISTS (
                        SELECT 1 FROM jobs j
                        WHERE j.payment_id = p.id AND j.kind = 'submit' AND j.state IN ('queued', 'running'))))
                ORDER BY p.updated_at LIMIT ?
                """,
                [
                    .integer(now.microseconds), .integer(stuckBefore.microseconds),
                    .integer(returnWindowStart.microseconds), .int(max(1, limit)),
                ]
            ).map { try Self.decodePayment($0, ring: self.ring).payment }
        }
    }

    public func scheduleReconciliation(_ nextCheck: [UUID: Date]) async throws {
        guard !nextCheck.isEmpty else { return }
        try await database.write { db in
            for (id, date) in nextCheck {
                try db.query(
                    "UPDATE payments SET reconcile_after = ? WHERE id = ?",
                    [.integer(date.microseconds), .text(id.lowercased)]
                )
            }
        }
    }

    public func payments(ids: [UUID]) async throws -> [Payment] {
        guard !ids.isEmpty else { return [] }
        return try await database.read { db in
            try ids.compactMap { id in
                try db.query("SELECT \(Self.paymentColumns) FROM payments WHERE id = ?", [.text(id.lowercased)])
                    .first.map { try Self.decodePayment($0, ring: self.ring).payment }
            }
        }
    }

    public func reconciliationBacklog(stuckBefore: Date, now: Date) async throws -> ReconciliationBacklog {
        try await database.read { db in
            let row = try db.query(
                """
                SELECT
                    (SELECT COUNT(*) FROM payments p WHERE p.status = 'initiated' AND NOT EXISTS (
                        SELECT 1 FROM jobs j
                        WHERE j.payment_id = p.id AND j.kind = 'submit' AND j.state IN ('queued', 'running'))),
                    (SELECT COUNT(*) FROM payments WHERE status = 'processing' AND updated_at < ?),
                    (SELECT MIN(updated_at) FROM payments p
                     WHERE (p.status = 'processing' AND p.updated_at < ?) OR (p.status = 'initiated' AND NOT EXISTS (
                        SELECT 1 FROM jobs j
                        WHERE j.payment_id = p.id AND j.kind = 'submit' AND j.state IN ('queued', 'running'))))
                """,
                [.integer(stuckBefore.microseconds), .integer(stuckBefore.microseconds)]
            ).first
            let oldest = row.flatMap { $0.optionalInt(2) }.map { Date(microseconds: $0) }
            return ReconciliationBacklog(
                unconfirmedSubmissions: Int(row?.int(0) ?? 0), stuckProcessing: Int(row?.int(1) ?? 0),
                oldestAge: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0
            )
        }
    }

    public func claimReconciliationRun(_ name: String, now: Date, lease: Duration) async throws -> ReconciliationRun? {
        try await database.write { db in
            try db.query(
                "INSERT INTO reconciliation_state (name) VALUES (?) ON CONFLICT (name) DO NOTHING", [.text(name)])
            let claimed = try db.query(
                "UPDATE reconciliation_state SET lease_until = ? WHERE name = ? AND lease_until <= ? RETURNING watermark",
                [.integer(now.microseconds + lease.wholeMicroseconds), .text(name), .integer(now.microseconds)]
            )
            guard let row = claimed.first else { return nil }
            return ReconciliationRun(watermark: row.optionalInt(0).map { Date(microseconds: $0) })
        }
    }

    public func finishReconciliationRun(_ name: String, watermark: Date?) async throws {
        try await database.write { db in
            try db.query(
                "UPDATE reconciliation_state SET lease_until = 0, watermark = COALESCE(?, watermark) WHERE name = ?",
                [watermark.map { .integer($0.microseconds) } ?? .null, .text(name)]
            )
        }
    }

    public func jobs(ofPayment paymentID: UUID) async throws -> [JobRecord] {
        try await database.read { db in
            try db.query(
                "SELECT \(Self.jobColumns) FROM jobs WHERE payment_id = ? ORDER BY created_at, id",
                [.text(paymentID.lowercased)]
            ).map(Self.decodeJobRecord)
        }
    }

    public func deadLetteredJobs(kind: JobKind?, limit: Int) async throws -> [JobRecord] {
        try await database.read { db in
            try db.query(
                """
                SELECT \(Self.jobColumns) FROM jobs WHERE state = 'dead' AND (? IS NULL OR kind = ?)
                ORDER BY updated_at DESC LIMIT ?
                """,
                [.optional(kind?.rawValue), .optional(kind?.rawValue), .int(max(1, limit))]
            ).map(Self.decodeJobRecord)
        }
    }

    public func requeueDeadLetteredJobs(_ ids: [UUID], now: Date) async throws -> Int {
        try await database.write { db in
            var count = 0
            for id in ids {
                try db.query(
                    """
                    UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?1, result = NULL, created_at = ?1,
                        updated_at = ?1
                    WHERE id = ?2 AND state = 'dead'
                    """,
                    [.integer(now.microseconds), .text(id.lowercased)]
                )
                count += db.changes
            }
            return count
        }
    }

    static let jobColumns = "id, kind, payment_id, state, attempts, run_at, last_error, result, created_at, updated_at"

    static func decodeJobRecord(_ row: SQLiteRow) throws -> JobRecord {
        guard let id = UUID(uuidString: row.text(0)), let kind = JobKind(rawValue: row.text(1)),
            let paymentID = UUID(uuidString: row.text(2))
        else { throw StoreError(.corrupt, debugDescription: "unreadable job row") }
        return JobRecord(
            id: id, kind: kind, paymentID: paymentID, state: row.text(3), attempts: Int(row.int(4)),
            runAt: Date(microseconds: row.int(5)), lastError: row.optionalText(6), result: row.optionalText(7),
            createdAt: Date(microseconds: row.int(8)), updatedAt: Date(microseconds: row.int(9))
        )
    }
}
