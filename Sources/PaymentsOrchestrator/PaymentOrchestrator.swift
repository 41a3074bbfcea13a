import Foundation
import Logging
import PaymentsCore
import PaymentsSupport
import Tracing

/// Accepts payments and bank events and records them through the store; the bank itself is called by the
/// ``JobWorker``, never on the request path.
public struct PaymentOrchestrator<Store: PaymentStore>: Sendable {
    /// Where payments live.
    public let store: Store
    private let signal: WakeUpSignal
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let metrics: PaymentMetrics
    // Looked up once: `InstrumentationSystem.tracer` takes a lock and casts the bootstrapped instrument on every call.
    private let tracer: any Tracer

    /// Creates an orchestrator, with the tracer bootstrapped now (create it after bootstrapping).
    public init(
        store: Store, signal: WakeUpSignal, logger: Logger, metrics: PaymentMetrics = PaymentMetrics(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.signal = signal
        self.logger = logger
        self.metrics = metrics
        self.now = now
        self.tracer = InstrumentationSystem.tracer
    }

    /// Stores a new payment with its `submit` job, or returns the original of a replay.
    public func create(
        _ request: PaymentRequest, clientID: String, idempotencyKey: String?, traceParent: @autoclosure () -> String?
    ) async throws -> PaymentCreation {
        let span = tracer.startAnySpan("PaymentOrchestrator.create", context: ServiceContext.current ?? .topLevel)
        defer { span.end() }
        // The stored context is this span's, so that everything done later for the payment joins its trace; the
        // caller's value stands in when no tracer is running.
        let new = NewPayment(
            id: SecureRandom.uuid(), clientID: clientID, request: request, idempotencyKey: idempotencyKey,
            traceParent: PaymentTrace.traceParent(of: span.context) ?? traceParent(), createdAt: now()
        )
        let paymentID = new.id.lowercased
        span.updateAttributes { attributes in
            attributes["client_ref"] = request.clientRef
            attributes["payment_id"] = paymentID
        }
        let creation: PaymentCreation
        do {
            creation = try await ServiceContext.$current.withValue(span.context) { try await store.create(new) }
        } catch {
            span.recordError(error)
            throw error
        }
        // The line's metadata in one dictionary, rather than a copy of the logger per key.
        var metadata: Logger.Metadata = ["client_ref": "\(request.clientRef)", "client_id": "\(clientID)"]
        switch creation {
        case .created(let payment):
            span.attributes["status"] = payment.status.rawValue
            metadata["payment_id"] = "\(paymentID)"
            metadata["status"] = "initiated"
            metadata["amount"] = "\(payment.amount.minorUnits)"
            metadata["currency"] = "\(payment.amount.currency.code)"
            logger.info("Payment initiated", metadata: metadata)
            metrics.created()
            signal.notify()
        case .replayed(let payment):
            span.updateAttributes { attributes in
                attributes["payment_id"] = payment.id.lowercased
                attributes["status"] = payment.status.rawValue
                attributes["replayed"] = true
            }
            metadata["payment_id"] = "\(payment.id.lowercased)"
            metadata["status"] = "\(payment.status.rawValue)"
            logger.info("Payment request replayed; returning the original", metadata: metadata)
        case .conflict(let conflict):
            span.attributes["conflict"] = true
            metadata["reused"] = "\(conflict.rawValue)"
            logger.notice("Payment request conflicts with an earlier one", metadata: metadata)
        }
        return creation
    }

    /// One of a client's payments; another client's is reported as missing.
    public func payment(id: UUID, clientID: String) async throws -> Payment? {
        guard let payment = try await store.payment(id: id), payment.clientID == clientID else { return nil }
        return payment
    }

    /// A page of a client's payments.
    public func payments(_ query: PaymentQuery) async throws -> PaymentPage {
        try await store.payments(query)
    }

    /// ACH return codes that say the account cannot take payments: closed (R02), not found (R03), invalid (R04).
    static var accountGoneReturnCodes: Set<String> { ["R02", "R03", "R04"] }

    /// After a return that says the account is gone, finds the other open payments to the same account by blind index
    /// (no account number is opened) and names them in a warning, off the webhook's answer.
    private func warnAboutSameAccount(_ payment: Payment, code: String, logger: Logger) {
        let store = store
        Task.detached {
            guard let others = try? await store.paymentsToSameAccount(as: payment.id, limit: 100) else { return }
            let open = others.filter { $0.status == .initiated || $0.status == .processing }
            guard !open.isEmpty else { return }
            logger.warning(
                "Return says the account is gone; other open payments go to the same account",
                metadata: [
                    "return_code": "\(code)", "open_payments": "\(open.count)",
                    "open_payment_ids": .array(open.prefix(20).map { .string($0.id.lowercased) }),
                ])
        }
    }

    /// Records a verified webhook and runs it through the lifecycle; follow-up work is queued, not done here.
    public func receive(_ event: WebhookEvent) async throws -> WebhookRecording {
        let receivedAt = DefaultTracerClock.now
        let request = ServiceContext.current ?? .topLevel
        let recording = try await store.recordWebhook(event, receivedAt: now())
        var logger = logger
        logger[metadataKey: "payment_id"] = "\(event.paymentID.lowercased)"
        logger[metadataKey: "event_id"] = "\(event.eventID)"
        logger[metadataKey: "status"] = "\(event.status.rawValue)"
        switch recording {
        case .recorded(let outcome):
            // The payment's trace is known only once it is read; the span starts at receipt all the same, in that
            // trace, linking the webhook's own request, and the outcome is logged inside it.
            let span = tracer.startAnySpan(
                "WebhookReceiver.receive", at: receivedAt,
                context: PaymentTrace.context(of: outcome.payment.traceParent),
                ofKind: .server
            )
            span.attributes["payment_id"] = outcome.payment.id.lowercased
            span.attributes["client_ref"] = outcome.payment.clientRef
            span.attributes["status"] = outcome.payment.status.rawValue
            span.attributes["event_id"] = event.eventID
            if let bankRef = outcome.payment.bankRef { span.attributes["bank_ref"] = bankRef }
            span.addLink(SpanLink(context: request, attributes: [:]))
            logger[metadataKey: "client_ref"] = "\(outcome.payment.clientRef)"
            ServiceContext.$current.withValue(span.context) {
                PaymentOrchestrator.logOutcome(outcome, event: event.paymentEvent, logger: logger)
                metrics.record(outcome, now: now())
            }
            span.end()
            if !outcome.action.followUp.isEmpty { signal.notify() }
            if outcome.action.newStatus == .returned, let code = outcome.payment.returnCode,
                Self.accountGoneReturnCodes.contains(code)
            {
                warnAboutSameAccount(outcome.payment, code: code, logger: logger)
            }
        case .duplicate:
            logger.info("Webhook event already recorded; acknowledged without change")
        case .unknownPayment:
            logger.warning("Webhook for an unknown payment; recorded for investigation")
        }
        return recording
    }

    /// Writes the line that says what an event did to a payment.
    static func logOutcome(_ outcome: EventOutcome, event: PaymentEvent, logger: Logger) {
        var metadata: Logger.Metadata = [
            "status": "\(outcome.payment.status.rawValue)", "source": "\(event.source.rawValue)",
        ]
        if let bankRef = outcome.payment.bankRef { metadata["bank_ref"] = "\(bankRef)" }
        if let code = event.returnCode { metadata["return_code"] = "\(code)" }
        switch outcome.action {
        case .transition(let status, _):
            metadata["previous_status"] = "\(outcome.previousStatus.rawValue)"
            logger.info("Payment \(status.rawValue)", metadata: metadata)
        case .correction(let from, let status, _):
            metadata["previous_status"] = "\(from.rawValue)"
            logger.warning(
                "Payment status corrected by the bank's record: \(from.rawValue) to \(status.rawValue)",
                metadata: metadata)
        case .recordOnly(let reason):
            metadata["event_status"] = "\(event.status.rawValue)"
            metadata["reason"] = "\(reason.rawValue)"
            logger.notice("Payment event kept in history without changing status", metadata: metadata)
        case .alreadyInStatus:
            logger.debug("Payment already in the reported status", metadata: metadata)
        }
    }
}
