import Foundation
import PaymentsSupport

/// The sandbox's bank without its HTTP server: the same fault decisions, idempotency, settlement plans, status views
/// and settlement report, answered as the status code and JSON body the server would send. For a simulation, which
/// plays the network itself: the sandbox's clock stands still until the simulation moves it, and a seed fixes every
/// decision.
public struct SandboxBank: Sendable {
    /// The answer to a call: the HTTP status and JSON body, or no answer at all (the request hangs).
    public enum Answer: Sendable, Hashable {
        case response(status: Int, body: Data, retryAfterSeconds: Int?)
        case hang
    }

    /// A webhook the bank will post, and from when.
    public struct Webhook: Sendable, Hashable {
        /// The JSON body, as the dispatcher would sign and post it.
        public var body: [UInt8]
        /// Not before this time.
        public var due: Date
        /// How many times it is sent (2 when the duplicate fault fired).
        public var copies: Int
    }

    private let state: SandboxState
    /// The bank's time; the simulation moves it.
    public let clock: SandboxClock

    /// A bank with `faults`, settling on the given delays, with its clock stopped at `start` and its decisions fixed
    /// by `seed`.
    public init(
        faults: SandboxFaults, processingDelay: Duration, settlementDelay: Duration, start: Date, seed: UInt64
    ) {
        clock = SandboxClock(stoppedAt: start)
        state = SandboxState(
            configuration: BankSandboxConfiguration(
                webhookURL: "sandbox-bank:webhooks", faults: faults, processingDelay: processingDelay,
                settlementDelay: settlementDelay, clock: clock, randomSeed: seed
            ),
            // A simulation keeps every payment's webhooks; it bounds its own queue.
            limits: SandboxState.Limits(maximumPendingWebhookJobs: .max)
        )
    }

    /// What the bank made of a submission.
    public struct Submission: Sendable {
        public var answer: Answer
        /// The webhooks an accepted payment schedules.
        public var webhooks: [Webhook] = []
        /// The earlier payment this one repeats under another identity (the sender sent one payment twice).
        public var duplicateOf: String?
    }

    /// `POST /v1/payments` with this body and `Idempotency-Key`.
    public func submit(body: Data, idempotencyKey: String) async -> Submission {
        let faults = await state.faults
        switch state.frontDoorFault(faults) {
        case .hang?: return Submission(answer: .hang)
        case .unavailable?: return Submission(answer: .response(status: 503, body: Data(), retryAfterSeconds: nil))
        case .rateLimited?: return Submission(answer: .response(status: 429, body: Data(), retryAfterSeconds: 1))
        case nil: break
        }
        let submission: PaymentSubmission
        do throws(PaymentSubmission.ValidationError) {
            submission = try PaymentSubmission(json: body)
        } catch {
            return Submission(answer: Self.json(400, ["error": "invalid_request", "reason": error.reason]))
        }
        switch await state.submit(submission, idempotencyKey: idempotencyKey) {
        case .replayed(let payment):
            return Submission(answer: Self.answer(payment))
        case .rejected(let payment, let duplicateOf):
            return Submission(answer: Self.answer(payment), duplicateOf: duplicateOf)
        case .conflict:
            return Submission(answer: Self.json(409, ["error": "idempotency_conflict"]))
        case .accepted(let payment, let scheduling, let duplicateOf, let ambiguous):
            var webhooks: [Webhook] = []
            if case .scheduled(let job) = scheduling {
                webhooks = job.deliveries.map {
                    Webhook(body: $0.body, due: clock.date(of: $0.notBefore), copies: $0.copies)
                }
                await state.webhookJobFinished()
            }
            let answer = ambiguous ? Self.json(500, ["error": "internal_error"]) : Self.answer(payment)
            return Submission(answer: answer, webhooks: webhooks, duplicateOf: duplicateOf)
        }
    }

    private static func answer(_ payment: StoredPayment) -> Answer {
        .response(status: payment.statusCode, body: payment.responseBody, retryAfterSeconds: nil)
    }

    /// `GET /v1/payments/{payment_id}`.
    public func status(paymentID: String) async -> Answer {
        guard let view = await state.paymentStatus(paymentID: paymentID) else {
            return Self.json(404, ["error": "not_found"])
        }
        return .response(status: 200, body: Data(view.json.serialized), retryAfterSeconds: nil)
    }

    /// `GET /v1/reports/settlements?since=&cursor=&limit=`.
    public func settlementReport(since: Date?, cursor: String?, limit: Int) async -> Answer {
        var position: SettlementCursor?
        if let cursor {
            guard let parsed = SettlementCursor(cursor) else { return Self.json(400, ["error": "invalid_request"]) }
            position = parsed
        }
        let report = await state.settlementReport(since: since, after: position, limit: limit)
        return .response(status: 200, body: Data(report.json.serialized), retryAfterSeconds: nil)
    }

    /// The bank's status of one payment (`pending`, `processing`, `completed`, `returned`, `rejected`), or `nil` if
    /// it was never submitted.
    public func status(of paymentID: String) async -> String? {
        await state.paymentStatus(paymentID: paymentID)?.status
    }

    /// Changes the faults from now on.
    public func setFaults(_ faults: SandboxFaults) async {
        await state.setFaults(faults)
    }

    /// What the bank has counted: payments, duplicate submissions, replays, dropped webhooks, late returns.
    public func stats() async -> SandboxStats {
        await state.stats
    }

    private static func json(_ status: Int, _ fields: [String: String]) -> Answer {
        .response(status: status, body: (try? SandboxJSON.encode(fields)) ?? Data(), retryAfterSeconds: nil)
    }
}
