/// The payment lifecycle as a state machine with no I/O: it is told what happened and answers what to do.
///
/// `initiated → processing → completed → returned`; `initiated | processing → failed`; a webhook may overtake the bank's
/// answer, so `initiated → completed | returned` is allowed too. An event that would move the payment backwards is kept
/// in its history but does not change its status.
///
/// The bank's record wins: a payment held as `failed` that the bank reports as `processing`, `completed` or `returned`
/// (in its answer, a webhook or reconciliation) follows the bank, and the step is a correction.
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
        /// Change a status the bank's record contradicts (`from`), recording that the step corrected it, and queue
        /// these jobs, all in one transaction.
        case correction(from: PaymentStatus, to: PaymentStatus, followUp: [JobKind])
        /// Append the event to the history only; the status stays.
        case recordOnly(IgnoredReason)
        /// The payment already has this status: nothing to change.
        case alreadyInStatus

        /// The status the payment moves to, for a transition or a correction.
        public var newStatus: PaymentStatus? {
            switch self {
            case .transition(let status, _), .correction(_, let status, _): status
            case .recordOnly, .alreadyInStatus: nil
            }
        }

        /// The status a correction corrected; `nil` for every other action.
        public var correctedStatus: PaymentStatus? {
            if case .correction(let from, _, _) = self { return from }
            return nil
        }

        /// The jobs the change queues.
        public var followUp: [JobKind] {
            switch self {
            case .transition(_, let followUp), .correction(_, _, let followUp): followUp
            case .recordOnly, .alreadyInStatus: []
            }
        }
    }

    /// Why an event was kept but not applied.
    public enum IgnoredReason: String, Sendable, Hashable {
        /// The event is older than the current status (for example `processing` after `completed`).
        case wouldMoveBackwards = "would_move_backwards"
        /// The payment is settled as returned or failed; nothing moves it.
        case alreadySettled = "already_settled"
    }

    /// Applies one event reported by `source` and says what to do about it.
    public mutating func receive(_ next: PaymentStatus, from source: EventSource) -> Action {
        if next == status { return .alreadyInStatus }
        if PaymentLifecycle.allows(from: status, to: next) {
            status = next
            return .transition(to: next, followUp: next.isTerminal ? [.erpUpdate] : [])
        }
        if PaymentLifecycle.bankRecordCorrects(status, to: next, source: source) {
            let previous = status
            status = next
            // The client was told the payment failed: it must hear that it did not, whatever the new status.
            return .correction(from: previous, to: next, followUp: [.erpUpdate])
        }
        return .recordOnly(status == .returned || status == .failed ? .alreadySettled : .wouldMoveBackwards)
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

    /// Whether the bank's report of `next` overrides our `current` status: only our `failed` can be wrong about money
    /// the bank moved, and only the bank (its answer, its webhook, reconciliation with it) can say so.
    public static func bankRecordCorrects(
        _ current: PaymentStatus, to next: PaymentStatus, source: EventSource
    ) -> Bool {
        current == .failed && next != .initiated && next != .failed && source.isTheBank
    }
}
