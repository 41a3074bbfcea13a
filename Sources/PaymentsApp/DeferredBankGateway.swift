import Foundation
import PaymentsCore
import PaymentsSupport

/// A bank gateway whose address is known only after start-up (the embedded sandbox binds an ephemeral port).
/// Calls made before then wait.
struct DeferredBankGateway<Bank: BankGateway>: BankGateway {
    let bank: OneShotValue<Bank>

    func submit(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult {
        try await bank.value.submit(submission)
    }

    func status(of paymentID: UUID, traceParent: String?) async throws(BankError) -> BankPaymentStatus? {
        try await bank.value.status(of: paymentID, traceParent: traceParent)
    }

    func settlementReport(since: Date?, cursor: String?) async throws(BankError) -> SettlementReportPage? {
        try await bank.value.settlementReport(since: since, cursor: cursor)
    }
}
