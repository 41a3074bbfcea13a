import Foundation
import PaymentsSupport

/// When an accepted payment moves through `pending → processing → completed | returned`, decided once at acceptance.
///
/// The status is computed from the clock rather than advanced by the webhook dispatcher, so `GET /v1/payments/{id}`
/// reports the bank's truth on schedule even when webhook delivery is failing or delayed.
struct SettlementPlan: Sendable {
    /// How the payment ends.
    enum Outcome: Sendable, Equatable {
        case completed
        case returned(ACHReturn)
    }

    /// When the payment becomes `processing`.
    let processingAt: ContinuousClock.Instant
    /// When the payment settles.
    let settledAt: ContinuousClock.Instant
    /// Wall-clock equivalents of the two instants, for the events' `occurred_at`.
    let processingDate: Date
    let settledDate: Date
    /// How it settles.
    let outcome: Outcome

    /// Plans a payment accepted at `now` / `wallNow`.
    init(
        now: ContinuousClock.Instant,
        wallNow: Date,
        processingDelay: Duration,
        settlementDelay: Duration,
        outcome: Outcome
    ) {
        self.processingAt = now + processingDelay
        self.settledAt = self.processingAt + settlementDelay
        self.processingDate = wallNow.addingTimeInterval(processingDelay.timeInterval)
        self.settledDate = self.processingDate.addingTimeInterval(settlementDelay.timeInterval)
        self.outcome = outcome
    }

    /// The status at `now`: `pending`, `processing`, then `completed` or `returned`.
    func status(at now: ContinuousClock.Instant) -> String {
        if now < self.processingAt { return "pending" }
        if now < self.settledAt { return "processing" }
        return self.finalStatus
    }

    /// `completed` or `returned`.
    var finalStatus: String {
        switch self.outcome {
        case .completed: "completed"
        case .returned: "returned"
        }
    }

    /// The return, if the payment is returned.
    var achReturn: ACHReturn? {
        if case .returned(let achReturn) = self.outcome { return achReturn }
        return nil
    }
}
