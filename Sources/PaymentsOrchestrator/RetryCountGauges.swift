import CoreMetrics
import Foundation
import PaymentsCore
import Synchronization

/// `payment_retry_count{payment_id}`: retries so far of each payment waiting to retry, removed when it settles.
/// Per-payment series are capped so that a bank outage with a large backlog cannot explode the metric's cardinality.
final class RetryCountGauges: Sendable {
    private let factory: any MetricsFactory
    private let limit: Int
    private let gauges = Mutex<[UUID: Gauge]>([:])

    init(factory: any MetricsFactory, limit: Int = 500) {
        self.factory = factory
        self.limit = limit
    }

    /// Sets the payment's retry count; a new series is made only while under the cap.
    func set(_ retries: Int, for paymentID: UUID) {
        let gauge = gauges.withLock { gauges -> Gauge? in
            if let gauge = gauges[paymentID] { return gauge }
            guard gauges.count < limit else { return nil }
            let gauge = Gauge(
                label: "payment_retry_count", dimensions: [("payment_id", paymentID.lowercased)], factory: factory)
            gauges[paymentID] = gauge
            return gauge
        }
        gauge?.record(retries)
    }

    /// Removes the payment's series, if it has one.
    func remove(_ paymentID: UUID) {
        let gauge = gauges.withLock { $0.removeValue(forKey: paymentID) }
        gauge?.destroy()
    }

    /// The payments with a series (for pruning those another instance settled).
    var tracked: [UUID] { gauges.withLock { Array($0.keys) } }
}
