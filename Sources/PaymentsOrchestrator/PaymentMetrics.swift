import CoreMetrics
import Foundation
import PaymentsCore
import Synchronization

/// The payment metrics (see docs/metrics.md), fed from every place a payment changes: `payment_status_total{status}`,
/// `payment_returns_total{return_code}` and `payment_time_to_terminal_seconds{status}`.
///
/// The handles for every status are made once, so recording on the hot path is an update, not a registry lookup.
public struct PaymentMetrics: Sendable {
    private let factory: any MetricsFactory
    private let transitions: [PaymentStatus: Counter]
    private let timeToTerminal: [PaymentStatus: Recorder]
    private let returns: ReturnCounters
    private let corrections: [PaymentStatus: Counter]

    /// Creates the metrics on a factory (the global one unless a test passes its own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        var transitions: [PaymentStatus: Counter] = [:]
        var timeToTerminal: [PaymentStatus: Recorder] = [:]
        for status in PaymentStatus.allCases {
            transitions[status] = Counter(
                label: "payment_status_total", dimensions: [("status", status.rawValue)], factory: factory)
            if status.isTerminal {
                timeToTerminal[status] = Recorder(
                    label: "payment_time_to_terminal_seconds", dimensions: [("status", status.rawValue)],
                    aggregate: true,
                    factory: factory
                )
            }
        }
        self.transitions = transitions
        self.timeToTerminal = timeToTerminal
        self.returns = ReturnCounters(factory: factory)
        // Only a failed payment is ever corrected (see PaymentLifecycle), to any status the bank can report.
        var corrections: [PaymentStatus: Counter] = [:]
        for status in [PaymentStatus.processing, .completed, .returned] {
            corrections[status] = Counter(
                label: "payment_status_corrections_total", dimensions: [("from", "failed"), ("to", status.rawValue)],
                factory: factory
            )
        }
        self.corrections = corrections
    }

    /// A payment was created.
    public func created() {
        transitions[.initiated]?.increment()
    }

    /// An event went through the lifecycle; only changes of status (transitions and corrections) count.
    public func record(_ outcome: EventOutcome, now: Date) {
        guard let status = outcome.action.newStatus else { return }
        transitions[status]?.increment()
        if outcome.action.correctedStatus != nil { corrections[status]?.increment() }
        if status == .returned { returns.increment(outcome.payment.returnCode ?? "unknown") }
        timeToTerminal[status]?.record(max(0, now.timeIntervalSince(outcome.payment.createdAt)))
    }
}

/// `payment_returns_total{return_code}`: the codes are open-ended, so each counter is made when first seen and kept.
final class ReturnCounters: Sendable {
    private let factory: any MetricsFactory
    private let counters = Mutex<[String: Counter]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func increment(_ code: String) {
        let counter = counters.withLock { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(label: "payment_returns_total", dimensions: [("return_code", code)], factory: factory)
            counters[code] = counter
            return counter
        }
        counter.increment()
    }
}
