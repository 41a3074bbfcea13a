import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle

/// Samples the work the store holds: the durable queue into `job_queue_depth{kind}` and
/// `job_queue_oldest_age_seconds{kind}`, and what reconciliation has yet to settle into `payment_unreconciled{reason}`
/// and `payment_unreconciled_oldest_age_seconds`; and prunes retry series of payments settled elsewhere.
public final class BacklogMetricsSampler<Store: PaymentStore>: Service, Sendable {
    private let store: Store
    private let interval: Duration
    private let stuckAfter: Duration
    private let logger: Logger
    private let depth: [JobKind: Gauge]
    private let oldestAge: [JobKind: Gauge]
    private let unconfirmedSubmissions: Gauge
    private let stuckProcessing: Gauge
    private let oldestUnreconciled: Gauge
    private let pendingDeliveries: Gauge
    private let oldestUndelivered: Gauge
    private let prune: @Sendable () async -> Void

    /// Creates a sampler; `stuckAfter` is reconciliation's setting, the age from which a `processing` payment counts.
    public init(
        store: Store, interval: Duration = .seconds(10), stuckAfter: Duration, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory, prune: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.interval = interval
        self.stuckAfter = stuckAfter
        self.logger = logger
        self.prune = prune
        var depth: [JobKind: Gauge] = [:]
        var oldestAge: [JobKind: Gauge] = [:]
        for kind in JobKind.allCases {
            depth[kind] = Gauge(label: "job_queue_depth", dimensions: [("kind", kind.rawValue)], factory: metrics)
            oldestAge[kind] = Gauge(
                label: "job_queue_oldest_age_seconds", dimensions: [("kind", kind.rawValue)], factory: metrics)
        }
        self.depth = depth
        self.oldestAge = oldestAge
        func unreconciled(_ reason: String) -> Gauge {
            Gauge(label: "payment_unreconciled", dimensions: [("reason", reason)], factory: metrics)
        }
        self.unconfirmedSubmissions = unreconciled("unconfirmed_submission")
        self.stuckProcessing = unreconciled("stuck_processing")
        self.oldestUnreconciled = Gauge(label: "payment_unreconciled_oldest_age_seconds", factory: metrics)
        self.pendingDeliveries = Gauge(label: "client_webhook_deliveries_pending", factory: metrics)
        self.oldestUndelivered = Gauge(label: "client_webhook_oldest_undelivered_age_seconds", factory: metrics)
        for gauge in [
            unconfirmedSubmissions, stuckProcessing, oldestUnreconciled, pendingDeliveries, oldestUndelivered,
        ] {
            gauge.record(0)
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sampleOnce()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
        }
    }

    /// Reads the queue and the reconciliation backlog once and updates the gauges.
    public func sampleOnce() async {
        let now = Date()
        do {
            let stats = try await store.queueStats(now: now)
            for (kind, value) in stats {
                depth[kind]?.record(value.depth)
                oldestAge[kind]?.record(value.oldestAge)
            }
            let backlog = try await store.reconciliationBacklog(
                stuckBefore: now.addingTimeInterval(-stuckAfter.timeInterval), now: now)
            unconfirmedSubmissions.record(backlog.unconfirmedSubmissions)
            stuckProcessing.record(backlog.stuckProcessing)
            oldestUnreconciled.record(backlog.oldestAge)
            let deliveries = try await store.deliveryBacklog(now: now)
            pendingDeliveries.record(deliveries.pending)
            oldestUndelivered.record(deliveries.oldestAge)
        } catch {
            logger.debug("Backlog metrics not sampled", metadata: ["error": "\(error)"])
        }
        await prune()
    }
}
