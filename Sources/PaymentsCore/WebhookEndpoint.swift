import Foundation

/// Where a client wants its events pushed.
public struct WebhookEndpoint: Sendable, Hashable, Identifiable {
    /// Whether deliveries are made.
    public enum Status: String, Sendable, Hashable {
        case enabled
        /// Failing past the retry window; nothing more is delivered (events stay in the feed).
        case disabled
    }

    /// The endpoint's id.
    public var id: UUID
    /// Its owner.
    public var clientID: String
    /// The `https` URL events are posted to.
    public var url: String
    /// The event types it receives; `nil` is every type.
    public var events: [ClientEventType]?
    /// The client's note.
    public var description: String?
    /// Whether deliveries are made.
    public var status: Status
    /// When it was registered.
    public var createdAt: Date
    /// Until when the secret before the last rotation still signs alongside the current one.
    public var previousSecretExpiresAt: Date?

    /// Creates an endpoint.
    public init(
        id: UUID, clientID: String, url: String, events: [ClientEventType]?, description: String?,
        status: Status = .enabled, createdAt: Date, previousSecretExpiresAt: Date? = nil
    ) {
        self.id = id
        self.clientID = clientID
        self.url = url
        self.events = events
        self.description = description
        self.status = status
        self.createdAt = createdAt
        self.previousSecretExpiresAt = previousSecretExpiresAt
    }

    /// Whether it receives events of `type`.
    public func receives(_ type: ClientEventType) -> Bool {
        events?.contains(type) ?? true
    }
}
