/// A deliberate bug the simulator can switch on, to prove that its invariants catch what they are meant to.
public enum SimulationMutation: String, CaseIterable, Sendable {
    /// The bank adapter sends each attempt under a new `Idempotency-Key`, so a retried submission is a second
    /// payment at the bank.
    case submitWithoutIdempotencyKey = "submit-without-idempotency-key"
    /// The bank adapter reads a status query it could not make as "the bank does not have it", so a payment whose
    /// submission was ambiguous is failed without the bank having said so.
    case failWithoutAskingTheBank = "fail-without-asking-the-bank"
    /// The store ends a job and applies its payment's change in two transactions, so a crash between the two
    /// loses the change: the submission succeeded and the payment stays `initiated` with no job to move it.
    case finishInTwoWrites = "finish-in-two-writes"
    /// The store records a bank webhook without its `event_id`, so a redelivered event is applied twice.
    case forgetWebhookEventIDs = "forget-webhook-event-ids"
}
