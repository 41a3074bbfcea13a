import Foundation
import PaymentsSupport

/// All of the sandbox's mutable state: faults, the webhook URL, tokens, answered payments and the counters.
///
/// An actor so that request handlers and the webhook dispatcher can share it safely. It performs no I/O: handlers
/// ask it for a decision and carry out the HTTP side themselves.
actor SandboxState {
    /// Bounds that keep memory flat however long the sandbox runs.
    struct Limits: Sendable {
        /// Live tokens kept; beyond this, expired tokens are swept and then the soonest-expiring evicted.
        var maximumTokens = 10_000
        /// Payments whose webhooks are still waiting or being delivered; beyond this, new payments send none.
        var maximumPendingWebhookJobs = 10_000
    }

    /// What became of a payment's webhooks at acceptance.
    enum WebhookScheduling: Sendable {
        /// Hand this job to the dispatcher.
        case scheduled(WebhookJob)
        /// Nothing to send: no webhook URL is configured, or the drop fault fired for every event.
        case disabled
        /// The dispatcher's queue is full; the events were counted as failed.
        case overflow
    }

    /// The answer to a `POST /v1/payments`.
    enum SubmissionOutcome: Sendable {
        /// A new payment was accepted (201), or recorded and then answered `500` when `ambiguous`.
        case accepted(StoredPayment, webhooks: WebhookScheduling, duplicateOf: String?, ambiguous: Bool)
        /// A new payment was rejected (422).
        case rejected(StoredPayment, duplicateOf: String?)
        /// The `Idempotency-Key` was seen with the same body: replay the original answer.
        case replayed(StoredPayment)
        /// The `Idempotency-Key` was seen with a different body (409).
        case conflict
    }

    private(set) var faults: SandboxFaults
    private(set) var webhookURL: String?
    private(set) var stats = SandboxStats()
    /// Jobs handed to the dispatcher and not yet finished.
    private(set) var pendingWebhookJobs = 0

    private let processingDelay: Duration
    private let settlementDelay: Duration
    private let limits: Limits
    let clock: SandboxClock
    /// Chances and identifiers; seeded in a simulation.
    nonisolated let random: SandboxRandom
    private var tokenExpiry: [String: ContinuousClock.Instant] = [:]
    private var paymentsByIdempotencyKey: [String: StoredPayment] = [:]
    private var idempotencyKeyByPaymentID: [String: String] = [:]
    private var paymentIDByEndToEndID: [String: String] = [:]

    /// The state at start-up: the configuration's faults, webhook URL, settlement timing and clock.
    init(configuration: BankSandboxConfiguration, limits: Limits = Limits()) {
        self.clock = configuration.clock
        self.random = SandboxRandom(seed: configuration.randomSeed)
        self.faults = configuration.faults
        self.webhookURL = configuration.webhookURL
        self.processingDelay = configuration.processingDelay
        self.settlementDelay = configuration.settlementDelay
        self.limits = limits
    }

    // MARK: Settings

    func setFaults(_ faults: SandboxFaults) {
        self.faults = faults
    }

    /// Applies a partial JSON update atomically, so two concurrent updates cannot undo each other.
    func updateFaults(patch: Data) throws(ConfigurationError) -> SandboxFaults {
        self.faults = try self.faults.applying(patch: patch)
        return self.faults
    }

    func setWebhookURL(_ url: String?) {
        self.webhookURL = url
    }

    // MARK: Tokens

    /// Issues a token that lives for the current `tokenTTLSeconds`.
    func issueToken() -> (token: String, expiresIn: Int) {
        let now = self.clock.now
        if self.tokenExpiry.count >= self.limits.maximumTokens {
            self.tokenExpiry = self.tokenExpiry.filter { $0.value > now }
            if self.tokenExpiry.count >= self.limits.maximumTokens,
                let soonest = self.tokenExpiry.min(by: { $0.value < $1.value })
            {
                self.tokenExpiry[soonest.key] = nil
            }
        }
        let token = self.random.accessToken()
        let lifetime = self.faults.tokenTTLSeconds
        self.tokenExpiry[token] = now + .seconds(lifetime)
        self.stats.tokensIssued += 1
        return (token, lifetime)
    }

    /// Whether `token` was issued here and has not expired. Expired tokens are forgotten when seen.
    func isTokenValid(_ token: String) -> Bool {
        guard let expiry = self.tokenExpiry[token] else { return false }
        guard expiry > self.clock.now else {
            self.tokenExpiry[token] = nil
            return false
        }
        return true
    }

    // MARK: Payments

    /// A fault injected before a submission is read: the request hangs, or is answered 503 or 429.
    enum FrontDoorFault: Sendable {
        case hang
        case unavailable
        case rateLimited
    }

    /// Whether `faults` inject a fault into this submission, before it is read or booked.
    nonisolated func frontDoorFault(_ faults: SandboxFaults) -> FrontDoorFault? {
        if random.chance(faults.hangRate) { return .hang }
        if random.chance(faults.errorRate) { return .unavailable }
        if random.chance(faults.rateLimitRate) { return .rateLimited }
        return nil
    }

    /// Decides a `POST /v1/payments` whose body is valid, applying idempotency, duplicate detection, the reject
    /// fault and (for accepted payments) the settlement and webhook plan.
    func submit(_ submission: PaymentSubmission, idempotencyKey: String) -> SubmissionOutcome {
        if let existing = self.paymentsByIdempotencyKey[idempotencyKey] {
            guard existing.submission.body == submission.body else { return .conflict }
            self.stats.idempotentReplays += 1
            return .replayed(existing)
        }

        let duplicateOf = self.noteDuplicate(submission)

        if self.random.chance(self.faults.rejectRate) {
            let payment = StoredPayment(
                idempotencyKey: idempotencyKey,
                submission: submission,
                disposition: .rejected(reason: "Account closed"),
                receivedDate: self.clock.date
            )
            self.store(payment)
            return .rejected(payment, duplicateOf: duplicateOf)
        }

        let outcome: SettlementPlan.Outcome =
            self.random.chance(self.faults.returnRate)
            ? .returned(self.random.element(of: ACHReturn.all)) : .completed
        var lateReturn: (after: Duration, achReturn: ACHReturn)?
        if outcome == .completed, self.random.chance(self.faults.lateReturnRate) {
            lateReturn = (.milliseconds(self.faults.lateReturnAfterMs), self.random.element(of: ACHReturn.all))
            self.stats.lateReturns += 1
        }
        let wallNow = self.clock.date
        let plan = SettlementPlan(
            now: self.clock.now,
            wallNow: wallNow,
            processingDelay: self.processingDelay,
            settlementDelay: self.settlementDelay,
            outcome: outcome,
            lateReturn: lateReturn
        )
        let bankRef = self.random.bankReference()
        let payment = StoredPayment(
            idempotencyKey: idempotencyKey,
            submission: submission,
            disposition: .accepted(bankRef: bankRef, plan: plan),
            receivedDate: wallNow
        )
        self.store(payment)
        self.stats.payments += 1
        let ambiguous = self.random.chance(self.faults.ambiguousAcceptRate)
        if ambiguous { self.stats.ambiguousAccepts += 1 }
        let webhooks = self.scheduleWebhooks(submission: submission, bankRef: bankRef, plan: plan)
        return .accepted(payment, webhooks: webhooks, duplicateOf: duplicateOf, ambiguous: ambiguous)
    }

    /// The bank's view of a payment, or `nil` if it was never submitted.
    func paymentStatus(paymentID: String) -> PaymentStatusView? {
        guard let key = self.idempotencyKeyByPaymentID[paymentID],
            let payment = self.paymentsByIdempotencyKey[key]
        else { return nil }
        return Self.view(of: payment, at: self.clock.now)
    }

    /// One page of the settlement report: every payment held, with the time its status last changed at or after
    /// `since`, ordered by that time and then payment id, starting after `cursor`.
    func settlementReport(since: Date?, after cursor: SettlementCursor?, limit: Int) -> SettlementReport {
        let now = self.clock.now
        var rows: [(cursor: SettlementCursor, view: PaymentStatusView)] = []
        for (paymentID, key) in self.idempotencyKeyByPaymentID {
            guard let payment = self.paymentsByIdempotencyKey[key] else { continue }
            let view = Self.view(of: payment, at: now)
            if let since, view.updatedAt < since { continue }
            let position = SettlementCursor(updatedAt: view.updatedAt, paymentID: paymentID)
            if let cursor, !(cursor < position) { continue }
            rows.append((position, view))
        }
        rows.sort { $0.cursor < $1.cursor }
        let page = rows.prefix(limit)
        return SettlementReport(
            entries: page.map { ($0.cursor.paymentID, $0.view) },
            nextCursor: rows.count > limit ? page.last?.cursor : nil
        )
    }

    private static func view(of payment: StoredPayment, at now: ContinuousClock.Instant) -> PaymentStatusView {
        switch payment.disposition {
        case .rejected:
            return PaymentStatusView(
                bankRef: nil, status: "rejected", returnCode: nil, updatedAt: payment.receivedDate)
        case .accepted(let bankRef, let plan):
            return PaymentStatusView(
                bankRef: bankRef, status: plan.status(at: now), returnCode: plan.returnCode(at: now),
                updatedAt: plan.updatedDate(at: now)
            )
        }
    }

    /// Counts a submission that repeats an `end_to_end_id` under another `payment_id`, or a `payment_id` under another
    /// `Idempotency-Key`: either way the sender sent one payment twice. Returns the earlier payment id. A repeated
    /// `client_ref` is not a duplicate: it is the payee's remittance information, and two of the sender's clients may
    /// use the same one.
    private func noteDuplicate(_ submission: PaymentSubmission) -> String? {
        var duplicateOf: String?
        if let earlier = self.paymentIDByEndToEndID[submission.endToEndID], earlier != submission.paymentID {
            duplicateOf = earlier
        } else if self.idempotencyKeyByPaymentID[submission.paymentID] != nil {
            duplicateOf = submission.paymentID
        }
        if duplicateOf != nil {
            self.stats.duplicateSubmissions += 1
        }
        return duplicateOf
    }

    private func store(_ payment: StoredPayment) {
        self.paymentsByIdempotencyKey[payment.idempotencyKey] = payment
        // The latest submission of a payment id is the one `GET` reports; the first owner of an end-to-end reference
        // is kept so every later duplicate is counted against it.
        self.idempotencyKeyByPaymentID[payment.submission.paymentID] = payment.idempotencyKey
        if self.paymentIDByEndToEndID[payment.submission.endToEndID] == nil {
            self.paymentIDByEndToEndID[payment.submission.endToEndID] = payment.submission.paymentID
        }
    }

    // MARK: Webhooks

    /// Plans the `processing`, final and late-return events, applying the webhook faults in force at acceptance.
    private func scheduleWebhooks(
        submission: PaymentSubmission,
        bankRef: String,
        plan: SettlementPlan
    ) -> WebhookScheduling {
        guard self.webhookURL != nil else { return .disabled }
        guard self.pendingWebhookJobs < self.limits.maximumPendingWebhookJobs else {
            self.stats.webhooksFailed += plan.lateReturn == nil ? 2 : 3
            return .overflow
        }

        let processing = WebhookEvent(
            eventID: self.random.eventID(),
            paymentID: submission.paymentID,
            bankRef: bankRef,
            status: "processing",
            returnCode: nil,
            reason: nil,
            occurredAt: plan.processingDate
        )
        let settled = WebhookEvent(
            eventID: self.random.eventID(),
            paymentID: submission.paymentID,
            bankRef: bankRef,
            status: plan.finalStatus,
            returnCode: plan.achReturn?.code,
            reason: plan.achReturn?.reason,
            occurredAt: plan.settledDate
        )
        // The webhook delay postpones delivery only; the state itself changes on schedule (see `SettlementPlan`).
        let webhookDelay = Duration.milliseconds(self.faults.webhookDelayMs)
        let processingDue = plan.processingAt + webhookDelay
        let settledDue = plan.settledAt + webhookDelay
        var ordered: [(WebhookEvent, ContinuousClock.Instant)] =
            self.faults.reorderWebhooks
            ? [(settled, settledDue), (processing, settledDue)]
            : [(processing, processingDue), (settled, settledDue)]
        if let lateReturn = plan.lateReturn {
            let returned = WebhookEvent(
                eventID: self.random.eventID(),
                paymentID: submission.paymentID,
                bankRef: bankRef,
                status: "returned",
                returnCode: lateReturn.achReturn.code,
                reason: lateReturn.achReturn.reason,
                occurredAt: lateReturn.date
            )
            ordered.append((returned, lateReturn.at + webhookDelay))
        }

        var deliveries: [WebhookJob.Delivery] = []
        for (event, due) in ordered {
            if self.random.chance(self.faults.dropWebhookRate) {
                self.stats.webhooksDropped += 1
                continue
            }
            deliveries.append(
                WebhookJob.Delivery(
                    event: event,
                    body: event.jsonBody(),
                    notBefore: due,
                    copies: self.random.chance(self.faults.duplicateWebhookRate) ? 2 : 1
                )
            )
        }
        guard !deliveries.isEmpty else { return .disabled }
        self.pendingWebhookJobs += 1
        return .scheduled(
            WebhookJob(
                paymentID: submission.paymentID,
                clientRef: submission.clientRef,
                bankRef: bankRef,
                deliveries: deliveries
            )
        )
    }

    /// Releases a job's slot once the dispatcher is done with it (delivered, given up, or never started).
    func webhookJobFinished() {
        self.pendingWebhookJobs = max(0, self.pendingWebhookJobs - 1)
    }

    func recordWebhookSent() {
        self.stats.webhooksSent += 1
    }

    func recordWebhookFailed() {
        self.stats.webhooksFailed += 1
    }
}
