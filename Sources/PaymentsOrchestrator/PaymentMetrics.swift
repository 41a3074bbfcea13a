import CoreMetrics
import Foundation
import PaymentsCore
import PaymentsSupport

/// The payment metrics (see docs/metrics.md), fed from every place a payment changes: `payment_status_total{status}`,
/// `payment_returns_total{return_code, return_class}`, `payment_client_returns_total{client, return_class}`,
/// `payment_entries_total{client}` (the return rates' denominator), `payment_time_to_terminal_seconds{status}` and
/// `payment_submission_delay_seconds`.
///
/// The handles for every status are made once, so recording on the hot path is an update, not a registry lookup.
public struct PaymentMetrics: Sendable {
    private let factory: any MetricsFactory
    private let transitions: [PaymentStatus: Counter]
    private let timeToTerminal: [PaymentStatus: Recorder]
    private let returns: ReturnCounters
    private let corrections: [PaymentStatus: Counter]
    private let submissionDelay: Recorder

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
        submissionDelay = Recorder(label: "payment_submission_delay_seconds", aggregate: true, factory: factory)
    }

    /// Registers at zero the series a dashboard or alert reads before the first return: every common code's, and
    /// each configured client's entries and returns by class.
    public static func registerAtZero(clients: [String], factory: any MetricsFactory = MetricsSystem.factory) {
        let returns = ReturnCounters(factory: factory)
        for code in ACHReturnClass.commonCodes { returns.increment(code: code, client: nil, by: 0) }
        for client in Set(clients) {
            returns.entry(client: client, by: 0)
            for returnClass in ACHReturnClass.allCases { returns.clientReturn(client, returnClass, by: 0) }
        }
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
        let clientID = outcome.payment.clientID
        if [.processing, .completed, .returned].contains(status),
            [.initiated, .failed].contains(outcome.previousStatus)
        {
            returns.entry(client: clientID)
        }
        if status == .returned { returns.increment(code: outcome.payment.returnCode ?? "unknown", client: clientID) }
        timeToTerminal[status]?.record(max(0, now.timeIntervalSince(outcome.payment.createdAt)))
    }

    /// A payment's submission concluded (the bank answered, or we stopped asking) `delay` after it was accepted.
    public func submissionConcluded(after delay: TimeInterval) {
        submissionDelay.record(max(0, delay))
    }
}

/// The return counters, made when first needed and kept: `payment_returns_total{return_code, return_class}` (the
/// codes are open-ended), `payment_client_returns_total{client, return_class}` and `payment_entries_total{client}`.
final class ReturnCounters: Sendable {
    private let factory: any MetricsFactory
    private let counters = MemoTable<CounterKey, Counter>()

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// A return with `code`, of `client`'s payment when known.
    func increment(code: String, client: String?, by amount: Int64 = 1) {
        let returnClass = ACHReturnClass(code: code)
        counter("payment_returns_total", [("return_code", code), ("return_class", returnClass.rawValue)])
            .increment(by: amount)
        if let client { clientReturn(client, returnClass, by: amount) }
    }

    func clientReturn(_ client: String, _ returnClass: ACHReturnClass, by amount: Int64 = 1) {
        counter("payment_client_returns_total", [("client", client), ("return_class", returnClass.rawValue)])
            .increment(by: amount)
    }

    /// An ACH entry the bank accepted for `client`.
    func entry(client: String, by amount: Int64 = 1) {
        counter("payment_entries_total", [("client", client)]).increment(by: amount)
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        counters.value(CounterKey(label: label, values: dimensions.map(\.1))) { _ in
            Counter(label: label, dimensions: dimensions, factory: factory)
        }
    }

    private struct CounterKey: Hashable, Sendable {
        var label: String
        var values: [String]
    }
}
