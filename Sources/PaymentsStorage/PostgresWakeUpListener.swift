import Logging
import PaymentsSupport
import PostgresNIO
import ServiceLifecycle

/// Wakes this process's job worker and webhook deliverer when any process queues work: it listens on the channels
/// the queuing transactions notify (see migration 5), on one connection of the pool held for the purpose.
///
/// While it is not listening (starting, or the connection was lost) both signals' `hearsOtherProcesses` is false and
/// the consumers poll quickly; every time it starts listening it wakes both once, for work queued while nobody listened. The connection is
/// checked every `checkInterval`, so a connection that died silently is replaced rather than listened to for good.
public final class PostgresWakeUpListener: Service, Sendable {
    private let client: PostgresClient
    private let jobs: WakeUpSignal
    private let deliveries: WakeUpSignal
    private let logger: Logger
    private let checkInterval: Duration

    /// Creates a listener on `store`'s pool that notifies `jobs` and `deliveries`.
    public init(
        store: PostgresPaymentStore, jobs: WakeUpSignal, deliveries: WakeUpSignal, logger: Logger,
        checkInterval: Duration = .seconds(30)
    ) {
        self.client = store.client
        self.jobs = jobs
        self.deliveries = deliveries
        self.logger = logger
        self.checkInterval = checkInterval
        setListening(false)
    }

    /// Tells both signals whether notifications reach them now (only this service's task changes it).
    private func setListening(_ listening: Bool) {
        jobs.hearsOtherProcesses = listening
        deliveries.hearsOtherProcesses = listening
    }

    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.client.withConnection { connection in
                        try await self.listen(on: connection)
                    }
                }
            } catch {
                // A connection that was listening counts as a first failure again.
                if jobs.hearsOtherProcesses { failures = 0 }
                setListening(false)
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                failures += 1
                if failures == 1 || failures % 10 == 0 {
                    logger.warning(
                        "Not listening for queued work; polling until listening again",
                        metadata: ["error": "\(error)", "consecutive_failures": "\(failures)"])
                }
                let backoff = min(.milliseconds(250) * (1 << min(failures, 7)), Duration.seconds(30))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: backoff) }
            }
        }
        setListening(false)
    }

    /// Listens on both channels until the connection fails or the task is cancelled.
    private func listen(on connection: PostgresConnection) async throws {
        try await connection.listen(on: PostgresMigrations.jobsChannel) { jobNotifications in
            try await connection.listen(on: PostgresMigrations.deliveriesChannel) { deliveryNotifications in
                // LISTEN is in effect once a statement after it has answered: from then on nothing is missed, and
                // what was queued before is found by the wake-up below.
                try await check(connection)
                setListening(true)
                logger.debug("Listening for queued work")
                jobs.notify()
                deliveries.notify()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await _ in jobNotifications { self.jobs.notify() }
                        throw ListeningEnded()
                    }
                    group.addTask {
                        for try await _ in deliveryNotifications { self.deliveries.notify() }
                        throw ListeningEnded()
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: self.checkInterval)
                            try await self.check(connection)
                        }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        }
    }

    /// The notifications stopped or the connection did not answer in time.
    private struct ListeningEnded: Error, CustomStringConvertible {
        var description: String { "the listening connection ended or stopped answering" }
    }

    /// A round trip on the listening connection within five seconds, or the connection is closed and this throws.
    private func check(_ connection: PostgresConnection) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Named, so that an operator can tell the listening connection in pg_stat_activity.
                _ = try await connection.query("SELECT 1 AS listening_for_queued_work", logger: self.logger).collect()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                try? await connection.close()
                throw ListeningEnded()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
