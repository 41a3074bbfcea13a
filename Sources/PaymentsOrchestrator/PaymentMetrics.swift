import CoreMetrics
import Foundation
import PaymentsCore

/// The payment metrics of CONTRACTS.md, fed from every place a payment changes: `payment_status_total{status}`,
/// `payment_returns_total{return_code}` and `payment_time_to_terminal_seconds{status}`.
public struct PaymentMetrics: Sendable {
    private let factory: any MetricsFactory

    /// Creates the metrics on a factory (the global one unless a test passes its own).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// A payment was created.
    public func created() {
        Counter(label: "payment_status_total", dimensions: [("status", PaymentStatus.initiated.rawValue)], factory: factory).increment()
    }

    /// An event went through the lifecycle; only transitions count.
    public func record(_ outcome: EventOutcome, now: Date) {
        guard case .transition(let status, _) = outcome.action else { return }
        Counter(label: "payment_status_total", dimensions: [("status", status.rawValue)], factory: factory).increment()
        if status == .returned {
            Counter(
                label: "payment_returns_total", dimensions: [("return_code", outcome.payment.returnCode ?? "unknown")],
                factory: factory
            ).increment()
        }
        if status.isTerminal {
            Recorder(label: "payment_time_to_terminal_seconds", dimensions: [("status", status.rawValue)], aggregate: true, factory: factory)
                .record(max(0, now.timeIntervalSince(outcome.payment.createdAt)))
        }
    }
}
