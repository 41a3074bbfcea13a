import BankClient
import BankSandbox
import Foundation
import PaymentsCore
import PaymentsSupport

/// The bank as the simulated processes reach it: the sandbox's decisions, read by the bank client's own response
/// handling, with every call stopping at the scheduler, which may lose it on the way there or back.
struct SimulatedBankGateway: BankGateway {
    let bank: SandboxBank
    let scheduler: SimulationScheduler
    let ledger: SimulationLedger
    let mutation: SimulationMutation?
    /// Takes the webhooks an accepted payment schedules.
    let post: @Sendable ([SandboxBank.Webhook]) -> Void

    func submit(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult {
        let verdict = await scheduler.pause(.bankSubmit(submission.paymentID))
        try arrives(verdict)
        // The deliberate bug: a key of the attempt instead of the payment's.
        let key =
            mutation == .submitWithoutIdempotencyKey
            ? SecureRandom.uuid().lowercased : submission.paymentID.lowercased
        let booked = await bank.submit(body: Data(BankPaymentBody.json(submission).serialized), idempotencyKey: key)
        post(booked.webhooks)
        if booked.duplicateOf != nil {
            ledger.violation(
                "payment \(submission.paymentID.uuidString.lowercased()) was sent to the bank under a second identity",
                about: submission.paymentID)
        }
        let (status, body) = try answered(booked.answer, verdict)
        return try BankResponses.submission(status: status, body: body)
    }

    func status(of paymentID: UUID, traceParent: String?) async throws(BankError) -> BankPaymentStatus? {
        let verdict = await scheduler.pause(.bankStatus(paymentID))
        do {
            try arrives(verdict)
            let (status, body) = try answered(await bank.status(paymentID: paymentID.lowercased), verdict)
            return try BankResponses.paymentStatus(status: status, body: body)
        } catch {
            // The deliberate bug: a question that got no answer read as "the bank does not have it".
            if mutation == .failWithoutAskingTheBank && verdict != .crash(arrived: false) { return nil }
            throw error
        }
    }

    func settlementReport(since: Date?, cursor: String?) async throws(BankError) -> SettlementReportPage? {
        let verdict = await scheduler.pause(.bankReport)
        try arrives(verdict)
        let (status, body) = try answered(await bank.settlementReport(since: since, cursor: cursor, limit: 50), verdict)
        return try BankResponses.settlementPage(status: status, body: body)
    }

    /// Throws unless the request reaches the bank.
    private func arrives(_ verdict: SimulationScheduler.Verdict) throws(BankError) {
        switch verdict {
        case .proceed, .failAfterArrival, .crash(arrived: true): return
        case .failBeforeArrival:
            ledger.fault("bank unreachable")
            throw BankError(.connection)
        case .crash(arrived: false): throw BankError(.connection)
        }
    }

    /// The status and body of an answer that reached us, or the error of one that did not.
    private func answered(
        _ answer: SandboxBank.Answer, _ verdict: SimulationScheduler.Verdict
    ) throws(BankError) -> (Int, Data) {
        switch verdict {
        case .failAfterArrival:
            ledger.fault("bank answer lost")
            throw BankError(.timeout)
        case .crash: throw BankError(.connection)
        case .proceed, .failBeforeArrival: break
        }
        switch answer {
        case .hang:
            ledger.fault("bank hang")
            throw BankError(.timeout)
        case .response(let status, let body, let retryAfterSeconds):
            if let error = BankResponses.error(status: status, retryAfter: retryAfterSeconds.map { .seconds($0) }) {
                ledger.fault(status == 429 ? "bank rate limit" : "bank 5xx")
                throw error
            }
            return (status, body)
        }
    }
}
