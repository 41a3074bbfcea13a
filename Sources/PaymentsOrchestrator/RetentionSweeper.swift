import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle
import Synchronization

/// Destroys the sealed account numbers of settled payments once their return window and the retention period have
/// passed (the payment keeps its last four digits and its history), deletes client events and finished jobs past
/// their retention, and exports how many payments each data key still seals (`payment_sealed_values{key_id}`), for knowing when an old key may leave the ring.
public final class RetentionSweeper<Store: PaymentStore>: Service, Sendable {
    private let store: Store
    private let interval: Duration
    private let keep: Duration
    private let eventRetention: Duration
    private let jobRetention: Duration
    private let logger: Logger
    private let metrics: any MetricsFactory
    private let destroyed: Counter
    /// Keys counted before, and the configured ones: one that seals nothing (any more) is exported as 0.
    private let countedKeys: Mutex<Set<String>>
    private let now: @Sendable () -> Date

    /// A sweeper running every `interval`, destroying account numbers `keep` after a payment last changed (the
    /// return window plus the retention period).
    public init(
        store: Store, interval: Duration, keep: Duration, eventRetention: Duration = .seconds(30 * 86_400),
        jobRetention: Duration = .seconds(7 * 86_400), keyIDs: [String] = [], logger: Logger,
        metrics: any MetricsFactory, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.countedKeys = Mutex(Set(keyIDs))
        self.eventRetention = eventRetention
        self.jobRetention = jobRetention
        self.store = store
        self.interval = interval
        self.keep = keep
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.destroyed = Counter(label: "payment_account_numbers_destroyed_total", dimensions: [], factory: metrics)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweepOnce()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
        }
    }

    /// One pass: destroy what is due, then count what each key seals.
    public func sweepOnce() async {
        let cutoff = now().addingTimeInterval(-keep.timeInterval)
        do {
            let total = try await drain(batch: 500) {
                try await store.destroyAccountNumbers(settledBefore: cutoff, limit: $0)
            }
            if total > 0 {
                destroyed.increment(by: total)
                logger.info("Account numbers destroyed past their retention", metadata: ["count": "\(total)"])
            }
            let eventCutoff = now().addingTimeInterval(-eventRetention.timeInterval)
            let events = try await drain(batch: 500) {
                try await store.deleteEvents(createdBefore: eventCutoff, limit: $0)
            }
            if events > 0 {
                logger.info("Client events deleted past their retention", metadata: ["count": "\(events)"])
            }
            let jobCutoff = now().addingTimeInterval(-jobRetention.timeInterval)
            let jobs = try await drain(batch: 1_000) {
                try await store.deleteFinishedJobs(finishedBefore: jobCutoff, limit: $0)
            }
            if jobs > 0 {
                logger.info("Finished jobs deleted past their retention", metadata: ["count": "\(jobs)"])
            }
            let counts = try await store.sealedValueCounts()
            let keys = countedKeys.withLock { known in
                known.formUnion(counts.keys)
                return known
            }
            for keyID in keys {
                Gauge(label: "payment_sealed_values", dimensions: [("key_id", keyID)], factory: metrics)
                    .record(counts[keyID] ?? 0)
            }
        } catch {
            logger.warning("Retention sweep failed; it runs again", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `step` with `batch` until a run does less than a batch (short transactions, nothing held across them);
    /// returns how many it did in all.
    private func drain(batch: Int, _ step: (Int) async throws -> Int) async throws -> Int {
        var total = 0
        while true {
            let count = try await step(batch)
            total += count
            if count < batch { return total }
        }
    }
}
