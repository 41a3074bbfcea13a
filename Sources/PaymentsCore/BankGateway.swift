import Foundation

/// The port to the partner bank.
public protocol BankGateway: Sendable {
    /// Sends a payment. The bank deduplicates by payment id, so a retry after an ambiguous failure is safe.
    func submit(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult
    /// The bank's view of a payment, for reconciliation; `nil` when the bank does not know it.
    func status(of paymentID: UUID, traceParent: String?) async throws(BankError) -> BankPaymentStatus?
    /// One page of the bank's settlement report: every payment it holds whose status changed at or after `since`,
    /// oldest change first, from `cursor` on (`nil`: the first page); `nil` when the bank publishes no report.
    func settlementReport(since: Date?, cursor: String?) async throws(BankError) -> SettlementReportPage?
}

/// A page of the bank's settlement report.
public struct SettlementReportPage: Sendable, Hashable {
    /// The payments on this page, oldest change first.
    public var entries: [SettlementReportEntry]
    /// Where the next page starts; `nil` on the last page.
    public var nextCursor: String?

    /// Creates a page.
    public init(entries: [SettlementReportEntry], nextCursor: String?) {
        self.entries = entries
        self.nextCursor = nextCursor
    }
}

/// One payment in the bank's settlement report.
public struct SettlementReportEntry: Sendable, Hashable {
    /// Our payment id, as sent to the bank.
    public var paymentID: UUID
    /// The bank's record of it.
    public var status: BankPaymentStatus
    /// When its status last changed at the bank.
    public var updatedAt: Date

    /// Creates an entry.
    public init(paymentID: UUID, status: BankPaymentStatus, updatedAt: Date) {
        self.paymentID = paymentID
        self.status = status
        self.updatedAt = updatedAt
    }
}

/// What is sent to the bank.
public struct BankSubmission: Sendable, Hashable {
    /// Our id, the bank's idempotency key.
    public var paymentID: UUID
    /// The client's reference.
    public var clientRef: String
    /// What to pay.
    public var amount: Money
    /// Who to pay (the full account number goes to the bank, and nowhere else).
    public var recipient: Recipient
    /// The trace the payment belongs to.
    public var traceParent: String?

    /// Creates a submission.
    public init(paymentID: UUID, clientRef: String, amount: Money, recipient: Recipient, traceParent: String?) {
        self.paymentID = paymentID
        self.clientRef = clientRef
        self.amount = amount
        self.recipient = recipient
        self.traceParent = traceParent
    }

    /// The submission for a stored payment.
    public init(_ payment: Payment) {
        self.init(
            paymentID: payment.id, clientRef: payment.clientRef, amount: payment.amount,
            recipient: payment.recipient, traceParent: payment.traceParent
        )
    }
}

/// The bank's answer to a submission.
public enum BankSubmissionResult: Sendable, Hashable {
    /// Accepted and now processing.
    case accepted(bankRef: String)
    /// Refused for good, with the bank's reason.
    case rejected(reason: String)
}

/// The bank's view of one payment.
public struct BankPaymentStatus: Sendable, Hashable {
    /// The bank's reference.
    public var bankRef: String?
    /// Its status mapped to ours (`pending` is `processing`).
    public var status: PaymentStatus
    /// The ACH return code, if returned.
    public var returnCode: String?

    /// Creates a status.
    public init(bankRef: String?, status: PaymentStatus, returnCode: String?) {
        self.bankRef = bankRef
        self.status = status
        self.returnCode = returnCode
    }
}

/// A failed call to the bank. The description names the kind only: no credential, token or account number.
public struct BankError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Could not connect, or the connection broke.
        case connection
        /// No answer in time; the request may or may not have reached the bank.
        case timeout
        /// The bank answered 5xx.
        case server
        /// The bank answered 429.
        case rateLimited = "rate_limited"
        /// Our credentials were refused.
        case unauthorized
        /// The bank's answer could not be understood.
        case invalidResponse = "invalid_response"
        /// Refused locally by adaptive throttling; the call was not made.
        case throttled
    }

    /// What went wrong.
    public var kind: Kind
    /// The HTTP status, when there was one.
    public var httpStatus: Int?
    /// How long the bank asked us to wait.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(_ kind: Kind, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    /// Whether a later retry can succeed. Every kind can: a rejection is a result, not an error.
    public var isRetryable: Bool { true }

    public var description: String {
        "bank call failed: \(kind.rawValue)" + (httpStatus.map { " (HTTP \($0))" } ?? "")
    }
}
