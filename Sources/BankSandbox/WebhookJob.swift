/// The webhooks one accepted payment will send, in delivery order, handed from the request handler to the
/// ``WebhookDispatcher``.
struct WebhookJob: Sendable {
    /// One event to deliver, no earlier than `notBefore`.
    struct Delivery: Sendable {
        let event: WebhookEvent
        /// The signed bytes; identical for every copy and retry of the event.
        let body: [UInt8]
        let notBefore: ContinuousClock.Instant
        /// 2 when the duplicate-webhook fault fired for this event.
        let copies: Int
    }

    /// For log lines: the identifiers the house rules allow.
    let paymentID: String
    let clientRef: String
    let bankRef: String
    let deliveries: [Delivery]
}
