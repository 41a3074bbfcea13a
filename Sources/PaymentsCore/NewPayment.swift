import Foundation

/// A payment about to be stored, with what makes its creation idempotent.
public struct NewPayment: Sendable, Hashable {
    /// The id we give it.
    public var id: UUID
    /// The owning API client.
    public var clientID: String
    /// The validated request.
    public var request: PaymentRequest
    /// The client's `Idempotency-Key`, if it sent one.
    public var idempotencyKey: String?
    /// The `traceparent` of the creating request.
    public var traceParent: String?
    /// When it was accepted.
    public var createdAt: Date

    /// Creates a new payment.
    public init(
        id: UUID, clientID: String, request: PaymentRequest, idempotencyKey: String?, traceParent: String?,
        createdAt: Date
    ) {
        self.id = id
        self.clientID = clientID
        self.request = request
        self.idempotencyKey = idempotencyKey
        self.traceParent = traceParent
        self.createdAt = createdAt
    }
}

/// What creating a payment came to.
public enum PaymentCreation: Sendable, Hashable {
    /// Stored, with its `submit` job, in one transaction.
    case created(Payment)
    /// The same request was made before: this is the original payment; nothing new was stored or queued.
    case replayed(Payment)
    /// The key or `client_ref` was used before with a different request.
    case conflict(PaymentConflict)
}

/// Which identifier a conflicting request reused.
public enum PaymentConflict: String, Sendable, Hashable {
    case idempotencyKey = "Idempotency-Key"
    case clientRef = "client_ref"
}
