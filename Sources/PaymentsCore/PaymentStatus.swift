/// Where a payment is in its lifecycle.
public enum PaymentStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Accepted from the client, not yet acknowledged by the bank.
    case initiated
    /// The bank accepted it and is moving the money.
    case processing
    /// The money arrived.
    case completed
    /// The receiving bank sent it back (an ACH return), possibly after completion.
    case returned
    /// The bank rejected it, or we gave up submitting it.
    case failed

    /// No further change is expected in the normal course (a `completed` payment may still be returned).
    public var isTerminal: Bool {
        switch self {
        case .initiated, .processing: false
        case .completed, .returned, .failed: true
        }
    }
}
