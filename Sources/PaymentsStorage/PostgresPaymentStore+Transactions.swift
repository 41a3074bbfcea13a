import Logging
import NIOCore
import PaymentsCore
import PostgresNIO

extension PostgresPaymentStore {
    /// Runs `body` in one transaction on a pooled connection, bounded by `timeout` (``operationTimeout`` when nil).
    ///
    /// Writes run at READ COMMITTED and take explicit row locks; `readOnly` runs a REPEATABLE READ, READ ONLY
    /// transaction instead, so a payment and its history are read from one snapshot. Every error leaves as a
    /// ``StoreError`` (or `CancellationError` when the caller was cancelled).
    func transaction<T: Sendable>(
        _ operation: String, readOnly: Bool = false, timeout: Duration? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = self.client
        let logger = self.logger
        return try await withDeadline(operation, timeout: timeout ?? operationTimeout) {
            try await client.withConnection { connection in
                // postgres-nio does not abandon a query in flight when its task is cancelled: it waits for the
                // server's answer, which never comes from a hung server or a dropped network. Closing the
                // connection fails the query at once, so a timed-out operation really ends and frees its slot
                // (the server rolls back whatever the transaction had not committed).
                try await withTaskCancellationHandler {
                    try await connection.withTransaction(logger: logger) { connection in
                        if readOnly {
                            try await connection.query(
                                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger
                            )
                        }
                        return try await body(connection)
                    }
                } onCancel: {
                    let closing: EventLoopFuture<Void> = connection.close()
                    _ = closing
                }
            }
        }
    }

    /// Runs `body` on a pooled connection without an explicit transaction, bounded like ``transaction(_:readOnly:timeout:_:)``:
    /// for a single statement, which PostgreSQL runs atomically on its own, saving the BEGIN and COMMIT round trips.
    func statement<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = self.client
        return try await withDeadline(operation, timeout: operationTimeout) {
            try await client.withConnection { connection in
                try await withTaskCancellationHandler {
                    try await body(connection)
                } onCancel: {
                    let closing: EventLoopFuture<Void> = connection.close()
                    _ = closing
                }
            }
        }
    }

    /// Runs `work` with a deadline; past it the caller gets ``StoreError/Code/unavailable`` at once, so the HTTP edge
    /// answers 503 in bounded time while the database is down.
    ///
    /// The work runs in its own task and is cancelled at the deadline, but the caller does not wait for it to wind
    /// down, as a task group would: a query on a connection to a vanished server can outlive cancellation and would
    /// hold the caller for good. The abandoned task ends when its connection fails. The deadline itself is an entry
    /// in ``DeadlineScheduler``, not a sleeping task of its own.
    private func withDeadline<T: Sendable>(
        _ operation: String, timeout: Duration, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = DeadlineOutcome<T>()
        let task = Task {
            do {
                outcome.resolve(.success(try await work()))
            } catch {
                outcome.resolve(.failure(error))
            }
        }
        let deadline = DeadlineScheduler.shared.schedule(after: timeout) {
            outcome.resolve(.failure(StoreError.unavailable("\(operation) did not finish within \(timeout)")))
        }
        let result: Result<T, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in outcome.install(continuation) }
        } onCancel: {
            outcome.resolve(.failure(CancellationError()))
        }
        DeadlineScheduler.shared.cancel(deadline)
        task.cancel()
        do {
            return try result.get()
        } catch {
            let mapped = Self.storeError(error, operation: operation)
            if let storeError = mapped as? StoreError {
                logger.debug(
                    "payment store operation failed",
                    metadata: ["operation": "\(operation)", "error": "\(storeError.debugDescription)"]
                )
            }
            throw mapped
        }
    }

    /// Runs one statement and collects its rows (every result here is a handful of rows).
    func rows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// Runs one statement whose rows, if any, are not needed.
    func execute(_ connection: PostgresConnection, _ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }
}
