import Foundation

/// Something that happened to a payment, from whatever source: the bank's answer, a webhook, a worker decision.
public struct PaymentEvent: Sendable, Hashable {
    /// The status the event reports.
    public var status: PaymentStatus
    /// Who reported it.
    public var source: EventSource
    /// When it happened, as the source says.
    public var occurredAt: Date
    /// The bank's reference, when the event carries one.
    public var bankRef: String?
    /// The ACH return code of a `returned` event.
    public var returnCode: String?
    /// A human-readable reason (the bank's rejection or return reason, or why we gave up).
    public var reason: String?

    /// Creates an event.
    public init(
        status: PaymentStatus, source: EventSource, occurredAt: Date,
        bankRef: String? = nil, returnCode: String? = nil, reason: String? = nil
    ) {
        self.status = status
        self.source = source
        self.occurredAt = occurredAt
        self.bankRef = bankRef
        self.returnCode = returnCode
        self.reason = reason
    }
}
