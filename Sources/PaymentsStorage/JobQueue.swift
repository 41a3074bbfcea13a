import Foundation
import PaymentsCore

/// SQL over the job queue that both stores run as written, and what they make of its rows.
enum JobQueue {
    /// The states of a job that is over and kept only for inspection, until the job retention deletes it.
    static let finishedStates = "('succeeded', 'skipped', 'reconcile')"

    /// Waiting work per kind (count, oldest creation), each state through its partial index: the table keeps
    /// finished jobs for the job retention, so a condition spanning both states would read all of them.
    static let stats = """
        SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state = 'queued' GROUP BY kind
        UNION ALL SELECT kind, COUNT(*), MIN(created_at) FROM jobs WHERE state = 'running' GROUP BY kind
        """

    /// Adds one row of ``stats`` (a kind's queued or running jobs) to `stats`.
    static func add(kind: String, count: Int, oldest: Date, now: Date, to stats: inout [JobKind: JobQueueStats]) {
        guard let kind = JobKind(rawValue: kind) else { return }
        let age = max(0, now.timeIntervalSince(oldest))
        let known = stats[kind] ?? JobQueueStats(depth: 0, oldestAge: 0)
        stats[kind] = JobQueueStats(depth: known.depth + count, oldestAge: max(known.oldestAge, age))
    }

    /// Every kind at zero, for ``add(kind:count:oldest:now:to:)`` to fill in.
    static var empty: [JobKind: JobQueueStats] {
        Dictionary(uniqueKeysWithValues: JobKind.allCases.map { ($0, JobQueueStats(depth: 0, oldestAge: 0)) })
    }
}
