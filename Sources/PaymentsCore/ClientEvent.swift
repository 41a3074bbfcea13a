import Foundation

/// A change a client is told about: every status change of its payments, a correction by the bank's record, an
/// endpoint disabled. Written in the same transaction as the change, kept for the event retention, listed oldest first
/// by ``EventCursor`` and pushed to the client's webhook endpoints.
public struct ClientEvent: Sendable, Hashable, Identifiable {
    /// The event's id (`Payments-Event-Id`), the same on every delivery of it.
    public var id: UUID
    /// Where it stands in the client's feed.
    public var cursor: EventCursor
    /// The client it belongs to.
    public var clientID: String
    /// What happened.
    public var type: ClientEventType
    /// When the change was recorded.
    public var createdAt: Date
    /// The payment as it stood just after the change, without history; `nil` for endpoint events.
    public var payment: Payment?
    /// The status a correction replaced; `nil` for every other event.
    public var correctedFrom: PaymentStatus?
    /// The endpoint an endpoint event is about.
    public var endpointID: UUID?

    /// Creates an event.
    public init(
        id: UUID, cursor: EventCursor, clientID: String, type: ClientEventType, createdAt: Date, payment: Payment?,
        correctedFrom: PaymentStatus? = nil, endpointID: UUID? = nil
    ) {
        self.id = id
        self.cursor = cursor
        self.clientID = clientID
        self.type = type
        self.createdAt = createdAt
        self.payment = payment
        self.correctedFrom = correctedFrom
        self.endpointID = endpointID
    }
}

/// The kinds of ``ClientEvent``.
public enum ClientEventType: String, Sendable, Hashable, CaseIterable {
    case paymentInitiated = "payment.initiated"
    case paymentProcessing = "payment.processing"
    case paymentCompleted = "payment.completed"
    case paymentReturned = "payment.returned"
    case paymentFailed = "payment.failed"
    /// The bank's record overrode a status we held (a payment we held as `failed` that the bank moved).
    case paymentCorrected = "payment.corrected"
    /// An endpoint that kept failing past the retry window was disabled.
    case endpointDisabled = "webhook_endpoint.disabled"

    /// The event of a payment reaching `status` by the lifecycle.
    public init(status: PaymentStatus) {
        switch status {
        case .initiated: self = .paymentInitiated
        case .processing: self = .paymentProcessing
        case .completed: self = .paymentCompleted
        case .returned: self = .paymentReturned
        case .failed: self = .paymentFailed
        }
    }
}

/// A position in a client's event feed, opaque to clients: events after it are the ones not yet seen.
///
/// `position` orders commits (PostgreSQL: the writing transaction's id, listed only once every older transaction has
/// ended; SQLite: 0, its writes commit one at a time); `sequence` orders events within one position.
public struct EventCursor: Sendable, Hashable, Comparable {
    public var position: UInt64
    public var sequence: Int64

    /// Creates a cursor.
    public init(position: UInt64, sequence: Int64) {
        self.position = position
        self.sequence = sequence
    }

    /// Before every event.
    public static let start = EventCursor(position: 0, sequence: 0)

    /// Parses a token this API returned.
    public init?(token: String) {
        let parts = token.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ev", parts[1].utf8.count <= 20, parts[2].utf8.count <= 19,
            parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            parts[2].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let position = UInt64(parts[1]), let sequence = Int64(parts[2])
        else { return nil }
        self.init(position: position, sequence: sequence)
    }

    /// The token given to clients.
    public var token: String { "ev_\(position)_\(sequence)" }

    public static func < (lhs: EventCursor, rhs: EventCursor) -> Bool {
        (lhs.position, lhs.sequence) < (rhs.position, rhs.sequence)
    }
}
