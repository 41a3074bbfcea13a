import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import ServiceLifecycle

/// Samples the durable queue into `job_queue_depth{kind}` and `job_queue_oldest_age_seconds{kind}`, and prunes retry
/// series of payments settled elsewhere.
public final class QueueMetricsSampler<Store: PaymentStore>: Service, Sendable {
    private let store: Store
    private let interval: Duration
    private let logger: Logger
    private let depth: [JobKind: Gauge]
    private let oldestAge: [JobKind: Gauge]
    private let prune: @Sendable () async -> Void

    /// Creates a sampler.
    public init(
        store: Store, interval: Duration = .seconds(5), logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory,
        prune: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.interval = interval
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

    /// Reads the queue once and updates the gauges.
    public func sampleOnce() async {
        do {
            let stats = try await store.queueStats(now: Date())
            for (kind, value) in stats {
                depth[kind]?.record(value.depth)
                oldestAge[kind]?.record(value.oldestAge)
            }
        } catch {
            logger.debug("Queue metrics not sampled", metadata: ["error": "\(error)"])
        }
        await prune()
    }
}
