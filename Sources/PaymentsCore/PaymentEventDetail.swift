/// The short text a history entry keeps about an event: the return code and reason, or the failure reason.
public enum PaymentEventDetail {
    /// `R01: Insufficient funds`, `Account closed`, or `nil` when the event says nothing more than its status.
    public static func describe(_ event: PaymentEvent) -> String? {
        switch (event.returnCode, event.reason) {
        case (let code?, let reason?): "\(code): \(reason)"
        case (let code?, nil): code
        case (nil, let reason?): reason
        case (nil, nil): nil
        }
    }

    /// The failure reason a change to the event's status records: the reason of a `failed` or `returned` event.
    public static func failureReason(of event: PaymentEvent) -> String? {
        event.status == .failed || event.status == .returned ? event.reason : nil
    }

    /// The history note of an event kept without changing the status.
    public static func notApplied(_ reason: PaymentLifecycle.IgnoredReason, _ event: PaymentEvent) -> String {
        "not applied: \(reason.rawValue)" + (describe(event).map { "; \($0)" } ?? "")
    }
}
