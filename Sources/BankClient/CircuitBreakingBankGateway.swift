import CoreMetrics
import Foundation
import Logging
import PaymentsCore
import Synchronization

/// Wraps a bank gateway in one circuit breaker per bank endpoint (submit, status). While a breaker is open, calls
/// fail at once with ``BankError/Kind/circuitOpen`` and the time left, so submissions wait in the durable queue
/// instead of piling onto a bank that is down. Every state change is logged and exported as `bank_circuit_state`
/// (the worst of the endpoints: 0 closed, 1 half-open, 2 open).
public final class CircuitBreakingBankGateway<Base: BankGateway>: BankGateway {
    /// The bank endpoints with a breaker of their own.
    public enum Endpoint: String, Sendable, CaseIterable {
        case submit
        case status
    }

    private let base: Base
    private let breakers: Mutex<[Endpoint: CircuitBreaker]>
    private let logger: Logger
    private let stateGauge: Gauge

    /// Wraps `base`.
    public init(
        base: Base, configuration: CircuitBreaker.Configuration = .bank, logger: Logger, metrics: any MetricsFactory
    ) {
        self.base = base
        self.logger = logger
        var breakers: [Endpoint: CircuitBreaker] = [:]
        for endpoint in Endpoint.allCases { breakers[endpoint] = CircuitBreaker(configuration: configuration) }
        self.breakers = Mutex(breakers)
        self.stateGauge = Gauge(label: "bank_circuit_state", dimensions: [], factory: metrics)
        stateGauge.record(CircuitBreaker.State.closed.rawValue)
    }

    /// Whether a submission made now would be let through (without counting it): workers claim `submit` jobs only
    /// then, so that jobs wait in the queue while the circuit is open.
    public var acceptsSubmissions: Bool {
        let now = ContinuousClock.now
        return breakers.withLock { $0[.submit]!.wouldAllow(now: now) }
    }

    /// The current state of one endpoint's breaker.
    public func state(of endpoint: Endpoint) -> CircuitBreaker.State {
        breakers.withLock { $0[endpoint]!.state }
    }

    public func submit(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult {
        try await call(.submit) { () async throws(BankError) in try await base.submit(submission) }
    }

    public func status(of paymentID: UUID, traceParent: String?) async throws(BankError) -> BankPaymentStatus? {
        try await call(.status) { () async throws(BankError) in
            try await base.status(of: paymentID, traceParent: traceParent)
        }
    }

    private func call<T>(_ endpoint: Endpoint, _ body: () async throws(BankError) -> T) async throws(BankError) -> T {
        let (permission, change) = breakers.withLock { $0[endpoint]!.requestPermission(now: .now) }
        if let change { announce(change, endpoint: endpoint) }
        if case .refused(let retryAfter) = permission {
            throw BankError(.circuitOpen, retryAfter: retryAfter)
        }
        do {
            let value = try await body()
            record(.success, endpoint: endpoint)
            return value
        } catch {
            record(Self.outcome(of: error), endpoint: endpoint)
            throw error
        }
    }

    /// Which errors count against the bank: no answer at all, or a 5xx. A 429 or a refused credential is the bank
    /// answering; opening the circuit on those would hide the real problem.
    static func outcome(of error: BankError) -> CircuitBreaker.Outcome {
        switch error.kind {
        case .connection, .timeout, .server, .invalidResponse: .failure
        case .rateLimited, .unauthorized, .circuitOpen: .success
        }
    }

    private func record(_ outcome: CircuitBreaker.Outcome, endpoint: Endpoint) {
        let change = breakers.withLock { $0[endpoint]!.record(outcome, now: .now) }
        if let change { announce(change, endpoint: endpoint) }
    }

    private func announce(_ state: CircuitBreaker.State, endpoint: Endpoint) {
        let worst = breakers.withLock { breakers in breakers.values.map(\.state.rawValue).max() ?? 0 }
        stateGauge.record(worst)
        let metadata: Logger.Metadata = ["endpoint": "\(endpoint.rawValue)", "circuit_state": "\(state)"]
        switch state {
        case .open: logger.warning("Bank circuit opened", metadata: metadata)
        case .halfOpen: logger.notice("Bank circuit half-open: probing", metadata: metadata)
        case .closed: logger.notice("Bank circuit closed", metadata: metadata)
        }
    }
}
