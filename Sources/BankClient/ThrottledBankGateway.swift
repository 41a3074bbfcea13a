import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import Synchronization

/// Puts adaptive throttling (``PaymentsCore/AdaptiveThrottle``) in front of a bank gateway: calls are let through in
/// proportion to what the bank accepts, and a dead bank gets one probe a second, whatever the endpoint. A call
/// refused locally fails at once with ``PaymentsCore/BankError/Kind/throttled`` and when to try again, so
/// submissions wait in the durable queue instead of piling onto a bank that is failing.
///
/// `bank_circuit_state` exports the state (0 open, 1 throttling, 2 dead) and `bank_throttle_rejection_ratio` the
/// share of calls refused locally now; state changes are logged.
public final class ThrottledBankGateway<Base: BankGateway>: BankGateway {
    private let base: Base
    private let throttle: Mutex<(throttle: AdaptiveThrottle, state: AdaptiveThrottle.State)>
    private let logger: Logger
    private let stateGauge: Gauge
    private let rejectionGauge: Gauge
    private let clock: @Sendable () -> ContinuousClock.Instant

    /// Wraps `base`.
    public init(
        base: Base, configuration: AdaptiveThrottle.Configuration = .bank, logger: Logger,
        metrics: any MetricsFactory, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.base = base
        self.logger = logger
        self.clock = clock
        self.throttle = Mutex((AdaptiveThrottle(configuration: configuration), .open))
        self.stateGauge = Gauge(label: "bank_circuit_state", dimensions: [], factory: metrics)
        self.rejectionGauge = Gauge(label: "bank_throttle_rejection_ratio", dimensions: [], factory: metrics)
        stateGauge.record(AdaptiveThrottle.State.open.rawValue)
        rejectionGauge.record(0)
    }

    /// Whether a submission now could go through: workers take `submit` jobs only then, so that jobs wait in the
    /// queue while the bank is dead.
    public var acceptsSubmissions: Bool {
        let now = clock()
        return throttle.withLock { $0.throttle.mightAdmit(now: now) }
    }

    /// The state now.
    public var state: AdaptiveThrottle.State {
        let now = clock()
        return throttle.withLock { $0.throttle.state(now: now) }
    }

    public func submit(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult {
        try await call { () async throws(BankError) in try await base.submit(submission) }
    }

    public func status(of paymentID: UUID, traceParent: String?) async throws(BankError) -> BankPaymentStatus? {
        try await call { () async throws(BankError) in try await base.status(of: paymentID, traceParent: traceParent) }
    }

    public func settlementReport(since: Date?, cursor: String?) async throws(BankError) -> SettlementReportPage? {
        try await call { () async throws(BankError) in try await base.settlementReport(since: since, cursor: cursor) }
    }

    private func call<T>(_ body: () async throws(BankError) -> T) async throws(BankError) -> T {
        let now = clock()
        let admitted = throttle.withLock { $0.throttle.admit(now: now, random: Double.random(in: 0..<1)) }
        update(now: now)
        guard admitted else {
            let wait = throttle.withLock { $0.throttle.timeToNextProbe(now: now) }
            throw BankError(.throttled, retryAfter: max(wait, .milliseconds(500)))
        }
        do {
            let value = try await body()
            record(accepted: true)
            return value
        } catch {
            record(accepted: Self.bankAnswered(error))
            throw error
        }
    }

    /// Whether the error still means the bank answered: a refused credential is the bank working. A 429 is the bank
    /// shedding load, and throttling is there to relieve it, so it counts as not accepted, as do no answer and 5xx.
    static func bankAnswered(_ error: BankError) -> Bool {
        switch error.kind {
        case .unauthorized: true
        case .connection, .timeout, .server, .invalidResponse, .rateLimited, .throttled: false
        }
    }

    private func record(accepted: Bool) {
        let now = clock()
        throttle.withLock { $0.throttle.record(accepted: accepted, now: now) }
        update(now: now)
    }

    /// Exports the state and the rejection ratio now, and logs a change of state: after every call, and
    /// periodically (the server's sampler), so that the gauges follow the window as it slides while no call is made.
    public func refreshGauges() {
        update(now: clock())
    }

    /// Exports the state and the rejection ratio, and logs a change of state.
    private func update(now: ContinuousClock.Instant) {
        let (previous, current, ratio) = throttle.withLock { state in
            let previous = state.state
            state.state = state.throttle.state(now: now)
            return (previous, state.state, state.throttle.rejectionProbability(now: now))
        }
        rejectionGauge.record(ratio)
        guard current != previous else { return }
        stateGauge.record(current.rawValue)
        let metadata: Logger.Metadata = ["throttle_state": "\(current)", "rejection_ratio": "\(ratio)"]
        switch current {
        case .dead: logger.warning("Bank is not answering: probing once a second", metadata: metadata)
        case .throttling: logger.notice("Bank failing part of its calls: throttling", metadata: metadata)
        case .open: logger.notice("Bank healthy again: no throttling", metadata: metadata)
        }
    }
}
