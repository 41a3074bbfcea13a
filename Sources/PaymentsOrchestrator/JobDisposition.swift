import PaymentsCore

/// What a job handler decided: end the job (with the payment event its work produced), or run it again later.
enum JobDisposition: Sendable {
    case finish(JobResult, PaymentEvent?)
    case retry(error: String, notBefore: Duration)
    /// The work was not tried (the bank throttle refused the call): back to the queue without spending an attempt.
    case wait(until: Duration)
}
