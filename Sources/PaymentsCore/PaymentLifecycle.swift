/// The payment lifecycle as a state machine with no I/O: it is told what happened and answers what to do.
///
/// `initiated → processing → completed → returned`; `initiated | processing → failed`; a webhook may overtake the bank's
/// answer, so `initiated → completed | returned` is allowed too. An event that would move the payment backwards is kept
/// in its history but does not change its status.
public struct PaymentLifecycle: Sendable, Hashable {
    /// The status after every event received so far.
    public private(set) var status: PaymentStatus

    /// Starts from a stored status.
    public init(status: PaymentStatus) {
        self.status = status
    }

    /// What the caller must carry out for one event.
    public enum Action: Sendable, Hashable {
        /// Change the status, append it to the history and queue these jobs, all in one transaction.
        case transition(to: PaymentStatus, followUp: [JobKind])
        /// Append the event to the history only; the status stays.
        case recordOnly(IgnoredReason)
        /// The payment already has this status: nothing to change.
        case alreadyInStatus
    }

    /// Why an event was kept but not applied.
    public enum IgnoredReason: String, Sendable, Hashable {
        /// The event is older than the current status (for example `processing` after `completed`).
        case wouldMoveBackwards = "would_move_backwards"
        /// The payment is settled as returned or failed; nothing moves it.
        case alreadySettled = "already_settled"
    }

    /// Applies one event and says what to do about it.
    public mutating func receive(_ next: PaymentStatus) -> Action {
        if next == status { return .alreadyInStatus }
        guard PaymentLifecycle.allows(from: status, to: next) else {
            return .recordOnly(status == .returned || status == .failed ? .alreadySettled : .wouldMoveBackwards)
        }
        status = next
        return .transition(to: next, followUp: next.isTerminal ? [.erpUpdate] : [])
    }

    /// Whether the lifecycle allows moving from one status to another.
    public static func allows(from current: PaymentStatus, to next: PaymentStatus) -> Bool {
        switch (current, next) {
        case (.initiated, .processing), (.initiated, .completed), (.initiated, .returned), (.initiated, .failed):
            true
        case (.processing, .completed), (.processing, .returned), (.processing, .failed):
            true
        case (.completed, .returned):
            true
        default:
            false
        }
    }
}
