import Foundation

/// The port to storage for client notifications: webhook endpoints, the event feed and the delivery queue.
///
/// Events are written by the store itself in the transaction of every status change, with a delivery for each of the
/// client's enabled endpoints that receives the type; nothing here writes a payment.
public protocol NotificationStore: Sendable {
    /// Registers an endpoint with its signing secret (sealed at rest), unless its client already has `limit`
    /// endpoints (then `false`); the count and the insert are one step, so registrations at the same moment cannot
    /// pass the limit together.
    func createEndpoint(_ endpoint: WebhookEndpoint, secret: String, limit: Int) async throws -> Bool
    /// A client's endpoints, oldest first.
    func endpoints(clientID: String) async throws -> [WebhookEndpoint]
    /// One of a client's endpoints.
    func endpoint(id: UUID, clientID: String) async throws -> WebhookEndpoint?
    /// Removes one of a client's endpoints and its pending deliveries; `false` if it has no such endpoint.
    func deleteEndpoint(id: UUID, clientID: String) async throws -> Bool
    /// Makes `secret` the endpoint's signing secret; the current one keeps signing beside it until `previousUntil`.
    func rotateSecret(id: UUID, clientID: String, secret: String, previousUntil: Date, now: Date) async throws
        -> WebhookEndpoint?

    /// A page of a client's events, oldest first, after the query's cursor. An event is listed only once nothing
    /// that committed before it can still appear, so a cursor never skips one.
    func events(_ query: EventQuery) async throws -> EventPage
    /// One of a client's events with its delivery attempts, oldest first.
    func event(id: UUID, clientID: String) async throws -> (event: ClientEvent, attempts: [DeliveryAttempt])?
    /// Queues the event again, now, for every enabled endpoint of its client that receives its type; `nil` if the
    /// client has no such event, else how many deliveries were queued.
    func redeliver(eventID: UUID, clientID: String, now: Date) async throws -> Int?

    /// Claims the next due delivery under a lease, passing over the endpoints in `busy`, with what it takes to make it.
    func claimDelivery(now: Date, lease: Duration, busy: Set<UUID>) async throws -> ClaimedDelivery?
    /// Records an attempt and what follows it. When the endpoint has failed every attempt since before
    /// `disableIfFailingSince`, the endpoint is disabled and a ``ClientEventType/endpointDisabled`` event written, all
    /// in one transaction. Throws ``StoreError/Code/leaseLost`` if the lease expired.
    func finishDelivery(
        _ delivery: ClaimedDelivery, attempt: DeliveryAttempt, next: DeliveryNext, disableIfFailingSince: Date,
        now: Date
    ) async throws -> DeliveryFinish
    /// Deliveries waiting, and the age of the oldest undelivered event.
    func deliveryBacklog(now: Date) async throws -> DeliveryBacklog
    /// Deletes up to `limit` events created before `createdBefore`, with their deliveries and attempts.
    func deleteEvents(createdBefore: Date, limit: Int) async throws -> Int
}

/// Which events to list.
public struct EventQuery: Sendable, Hashable {
    public var clientID: String
    /// Events strictly after this cursor.
    public var after: EventCursor
    /// Only this type.
    public var type: ClientEventType?
    /// At most this many (1 to 100).
    public var limit: Int

    /// Creates a query.
    public init(clientID: String, after: EventCursor = .start, type: ClientEventType? = nil, limit: Int = 50) {
        self.clientID = clientID
        self.after = after
        self.type = type
        self.limit = limit
    }
}

/// A page of events and where the next one starts.
public struct EventPage: Sendable, Hashable {
    public var events: [ClientEvent]
    /// The cursor to ask with next: the last event's, or the query's own when the page is empty.
    public var next: EventCursor
    /// Whether more events were ready when the page was read.
    public var hasMore: Bool

    /// Creates a page.
    public init(events: [ClientEvent], next: EventCursor, hasMore: Bool) {
        self.events = events
        self.next = next
        self.hasMore = hasMore
    }
}

/// One attempt to deliver an event to an endpoint.
public struct DeliveryAttempt: Sendable, Hashable {
    public var endpointID: UUID
    public var at: Date
    /// The HTTP status, when the endpoint answered.
    public var statusCode: Int?
    public var latency: Duration
    /// Why it failed, when it did (never a secret or the body).
    public var error: String?

    /// Creates an attempt.
    public init(endpointID: UUID, at: Date, statusCode: Int?, latency: Duration, error: String?) {
        self.endpointID = endpointID
        self.at = at
        self.statusCode = statusCode
        self.latency = latency
        self.error = error
    }

    /// Whether the endpoint took the event (2xx).
    public var delivered: Bool { statusCode.map { (200..<300).contains($0) } ?? false }
}

/// A delivery taken from the queue, with what it takes to make it.
public struct ClaimedDelivery: Sendable, Hashable {
    public var id: Int64
    public var leaseToken: UUID
    /// Attempts so far, this one included.
    public var attempts: Int
    /// When the delivery was queued (its retry window starts there).
    public var createdAt: Date
    public var endpointID: UUID
    public var url: String
    /// The secrets that sign it: the current one, then the one before a rotation while it overlaps.
    public var secrets: [String]
    public var event: ClientEvent

    /// Creates a claimed delivery.
    public init(
        id: Int64, leaseToken: UUID, attempts: Int, createdAt: Date, endpointID: UUID, url: String, secrets: [String],
        event: ClientEvent
    ) {
        self.id = id
        self.leaseToken = leaseToken
        self.attempts = attempts
        self.createdAt = createdAt
        self.endpointID = endpointID
        self.url = url
        self.secrets = secrets
        self.event = event
    }
}

/// What follows an attempt.
public enum DeliveryNext: Sendable, Hashable {
    /// Delivered: nothing more.
    case delivered
    /// Try again at this time.
    case retry(at: Date)
    /// The retry window is spent: given up.
    case gaveUp
}

/// What recording an attempt came to.
public struct DeliveryFinish: Sendable, Hashable {
    /// The endpoint was disabled by this attempt.
    public var disabledEndpoint: Bool

    /// Creates a finish.
    public init(disabledEndpoint: Bool) {
        self.disabledEndpoint = disabledEndpoint
    }
}

/// Deliveries waiting.
public struct DeliveryBacklog: Sendable, Hashable {
    /// Deliveries not yet made or given up.
    public var pending: Int
    /// Seconds since the oldest of their events was written (0 when there are none).
    public var oldestAge: TimeInterval

    /// Creates a backlog.
    public init(pending: Int, oldestAge: TimeInterval) {
        self.pending = pending
        self.oldestAge = oldestAge
    }
}
