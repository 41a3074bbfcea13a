import Foundation
import PaymentsCore
import Synchronization

/// Gathers payments created at the same time into one insert statement.
///
/// Each create is one short statement whose cost on both sides is mostly per statement, not per row: the round trip,
/// the executor's start-up, the commit and its WAL flush, a pool lease and a few task switches in this process. Under
/// load many creates wait for the same few statements anyway, so while `maximumInFlight` statements are running, new
/// creates queue here, and the next free slot takes every queued one (up to `maximumBatch`) as one statement. A create
/// that finds a slot free goes at once, alone: batching adds no waiting when there is no queue.
///
/// Each payment stays atomic: the statement inserts each row with its history and job or, on a conflict,
/// nothing for that row. A batch that fails as a whole fails every create in it; one that PostgreSQL failed only to break
/// a deadlock with another (rows go in reference order, so only idempotency keys can meet in opposite orders), or
/// because one row held a value it refuses, is retried row by row, so that one request's data never fails another's. A waiter whose own deadline passes, or whose caller is cancelled, stops waiting; its row may still
/// be inserted, as a timed-out single statement may commit, and a retry with the same key or reference replays it.
final class PostgresCreateBatcher: Sendable {
    /// Inserts the rows (one statement) and returns the ids of those inserted (the others conflicted), or `nil` when
    /// the rows must go one by one (a deadlock with another statement, or a value one row holds refused).
    typealias Insert = @Sendable ([PostgresNewPaymentRow]) async throws -> Set<UUID>?

    private struct Waiter {
        var row: PostgresNewPaymentRow
        var outcome: DeadlineOutcome<Bool>
    }

    private struct State {
        var queued: [Waiter] = []
        var inFlight = 0
    }

    private let state = Mutex(State())
    private let maximumInFlight: Int
    private let maximumBatch: Int
    private let timeout: Duration

    /// - Parameters:
    ///   - maximumInFlight: Statements running at once; beyond, creates queue for the next.
    ///   - maximumBatch: Rows in one statement.
    ///   - timeout: How long one create may wait, queued and running, before it fails as unavailable.
    init(maximumInFlight: Int, maximumBatch: Int, timeout: Duration) {
        precondition(maximumInFlight > 0 && maximumBatch > 0)
        self.maximumInFlight = maximumInFlight
        self.maximumBatch = maximumBatch
        self.timeout = timeout
    }

    /// Inserts the row, alone or with others: `true` when it was inserted, `false` when it conflicted. `insert` runs
    /// the statement (with its own deadline); every caller passes the same one.
    func insert(_ row: PostgresNewPaymentRow, with insert: @escaping Insert) async throws -> Bool {
        let outcome = DeadlineOutcome<Bool>()
        let batch = state.withLock { state -> [Waiter]? in
            state.queued.append(Waiter(row: row, outcome: outcome))
            guard state.inFlight < maximumInFlight else { return nil }
            state.inFlight += 1
            return Self.take(&state.queued, upTo: maximumBatch)
        }
        if let batch {
            // The statement runs in a task of its own: the slot it holds serves the creates queued meanwhile, whether or
            // not this one's caller is still waiting. Detached, so that it carries no request's trace context: its
            // work (and any log line of it) belongs to every payment in the batch, not to the first.
            Task.detached { await self.run(batch, insert) }
        }
        let timeout = self.timeout
        let deadline = DeadlineScheduler.shared.schedule(after: timeout) {
            outcome.resolve(.failure(StoreError.unavailable("create did not finish within \(timeout)")))
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in outcome.install(continuation) }
        } onCancel: {
            outcome.resolve(.failure(CancellationError()))
        }
        DeadlineScheduler.shared.cancel(deadline)
        return try result.get()
    }

    /// Runs `batch`, then the creates queued meanwhile, until none are left; then frees the slot.
    private func run(_ first: [Waiter], _ insert: Insert) async {
        var batch = first
        while true {
            await execute(batch, insert)
            let next = state.withLock { state -> [Waiter]? in
                guard !state.queued.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return Self.take(&state.queued, upTo: maximumBatch)
            }
            guard let next else { return }
            batch = next
        }
    }

    private func execute(_ batch: [Waiter], _ insert: Insert) async {
        do {
            guard let inserted = try await insert(batch.map(\.row)) else {
                // Two batches took the same idempotency keys in opposite orders and PostgreSQL broke the deadlock by
                // failing this one, or one row's value was refused; alone, a row waits for the other batch instead, or
                // fails by itself.
                guard batch.count > 1 else {
                    throw StoreError.unavailable("create: deadlocked with a concurrent create")
                }
                for waiter in batch { await execute([waiter], insert) }
                return
            }
            for waiter in batch { waiter.outcome.resolve(.success(inserted.contains(waiter.row.id))) }
        } catch {
            for waiter in batch { waiter.outcome.resolve(.failure(error)) }
        }
    }

    private static func take(_ queued: inout [Waiter], upTo limit: Int) -> [Waiter] {
        guard queued.count > limit else {
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        defer { queued.removeFirst(limit) }
        return Array(queued.prefix(limit))
    }
}
