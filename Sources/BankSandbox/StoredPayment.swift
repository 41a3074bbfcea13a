import Foundation

/// A payment request the bank has answered, kept so that a repeated `Idempotency-Key` gets the original answer.
struct StoredPayment: Sendable {
    /// What the bank decided.
    enum Disposition: Sendable {
        case rejected(reason: String)
        case accepted(bankRef: String, plan: SettlementPlan)
    }

    let idempotencyKey: String
    let submission: PaymentSubmission
    let disposition: Disposition
    /// When the bank received it: the `updated_at` of a rejection in the settlement report.
    let receivedDate: Date
    /// The HTTP status code of the original answer.
    let statusCode: Int
    /// The exact body of the original answer, replayed byte for byte.
    let responseBody: Data

    init(idempotencyKey: String, submission: PaymentSubmission, disposition: Disposition, receivedDate: Date) {
        self.idempotencyKey = idempotencyKey
        self.submission = submission
        self.disposition = disposition
        self.receivedDate = receivedDate
        let fields: [String: String]
        switch disposition {
        case .rejected(let reason):
            self.statusCode = 422
            fields = ["status": "rejected", "reason": reason]
        case .accepted(let bankRef, _):
            self.statusCode = 201
            fields = ["bank_ref": bankRef, "status": "pending"]
        }
        // Encoding a dictionary of strings cannot fail.
        self.responseBody = (try? SandboxJSON.encode(fields)) ?? Data()
    }

    /// The bank reference, when the payment was accepted.
    var bankRef: String? {
        if case .accepted(let bankRef, _) = self.disposition { return bankRef }
        return nil
    }
}
