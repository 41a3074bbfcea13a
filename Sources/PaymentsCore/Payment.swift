import Foundation

/// A payment as stored: what the client asked for, where it is in its lifecycle and how it got there.
public struct Payment: Sendable, Hashable, Identifiable {
    /// Our identifier, also the bank's `Idempotency-Key`.
    public var id: UUID
    /// The API client that owns it.
    public var clientID: String
    /// The client's own reference, unique per client.
    public var clientRef: String
    /// What is paid.
    public var amount: Money
    /// Who is paid. Holds the full account number: render ``Recipient/masked``.
    public var recipient: Recipient
    /// Free text from the client.
    public var description: String?
    /// Current status.
    public var status: PaymentStatus
    /// The bank's reference once it accepted the payment.
    public var bankRef: String?
    /// The ACH return code once returned.
    public var returnCode: String?
    /// Why it failed (or the return reason).
    public var failureReason: String?
    /// Bank submission attempts so far.
    public var attempts: Int
    /// When it was accepted.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// The W3C `traceparent` of the request that created it, so later work continues the same trace.
    public var traceParent: String?
    /// Every status event, applied or not, oldest first.
    public var history: [PaymentHistoryEntry]

    /// Creates a payment.
    public init(
        id: UUID, clientID: String, clientRef: String, amount: Money, recipient: Recipient, description: String?,
        status: PaymentStatus, bankRef: String? = nil, returnCode: String? = nil, failureReason: String? = nil,
        attempts: Int = 0, createdAt: Date, updatedAt: Date, traceParent: String? = nil,
        history: [PaymentHistoryEntry] = []
    ) {
        self.id = id
        self.clientID = clientID
        self.clientRef = clientRef
        self.amount = amount
        self.recipient = recipient
        self.description = description
        self.status = status
        self.bankRef = bankRef
        self.returnCode = returnCode
        self.failureReason = failureReason
        self.attempts = attempts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.traceParent = traceParent
        self.history = history
    }

    /// The 32-hex-digit trace id inside ``traceParent``.
    public var traceID: String? {
        guard let traceParent else { return nil }
        // What this service stores: `00-<32 hex>-<16 hex>-<2 hex>`, read in place (it is on every response).
        let utf8 = Array(traceParent.utf8)
        let dash = UInt8(ascii: "-")
        if utf8.count == 55, utf8[2] == dash, utf8[35] == dash, utf8[52] == dash,
            utf8.lazy.filter({ $0 == dash }).count == 3
        {
            return String(decoding: utf8[3..<35], as: UTF8.self)
        }
        let parts = traceParent.split(separator: "-")
        return parts.count == 4 ? String(parts[1]) : nil
    }
}

/// One line of a payment's history.
public struct PaymentHistoryEntry: Sendable, Hashable {
    /// The status the event reported.
    public var status: PaymentStatus
    /// When we recorded it.
    public var at: Date
    /// Who reported it.
    public var source: EventSource
    /// Whether it changed the payment's status (false when it would have moved it backwards).
    public var applied: Bool
    /// The bank's reason, return code or why it was not applied.
    public var detail: String?
    /// The status this entry corrected, when the bank's record contradicted ours (see ``PaymentLifecycle``).
    public var correctedFrom: PaymentStatus?

    /// Creates an entry.
    public init(
        status: PaymentStatus, at: Date, source: EventSource, applied: Bool, detail: String? = nil,
        correctedFrom: PaymentStatus? = nil
    ) {
        self.status = status
        self.at = at
        self.source = source
        self.applied = applied
        self.detail = detail
        self.correctedFrom = correctedFrom
    }
}
