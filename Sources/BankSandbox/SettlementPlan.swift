import Foundation
import PaymentsSupport

/// When an accepted payment moves through `pending → processing → completed | returned`, decided once at acceptance.
///
/// The status is computed from the clock rather than advanced by the webhook dispatcher, so `GET /v1/payments/{id}`
/// and the settlement report give the bank's truth on schedule even when webhook delivery is failing, delayed or
/// dropped.
struct SettlementPlan: Sendable {
    /// How the payment ends.
    enum Outcome: Sendable, Equatable {
        case completed
        case returned(ACHReturn)
    }

    /// A return that comes after the payment completed, as ACH returns do days later.
    struct LateReturn: Sendable {
        let at: ContinuousClock.Instant
        let date: Date
        let achReturn: ACHReturn
    }

    /// When the bank recorded the payment.
    let acceptedDate: Date
    /// When the payment becomes `processing`.
    let processingAt: ContinuousClock.Instant
    /// When the payment settles.
    let settledAt: ContinuousClock.Instant
    /// Wall-clock equivalents of the two instants, for the events' `occurred_at`.
    let processingDate: Date
    let settledDate: Date
    /// How it settles.
    let outcome: Outcome
    /// Set only for a payment that completes and is returned later.
    let lateReturn: LateReturn?

    /// Plans a payment accepted at `now` / `wallNow`; a `lateReturn` applies only to a payment that completes.
    init(
        now: ContinuousClock.Instant,
        wallNow: Date,
        processingDelay: Duration,
        settlementDelay: Duration,
        outcome: Outcome,
        lateReturn: (after: Duration, achReturn: ACHReturn)? = nil
    ) {
        self.acceptedDate = wallNow
        self.processingAt = now + processingDelay
        self.settledAt = self.processingAt + settlementDelay
        self.processingDate = wallNow.addingTimeInterval(processingDelay.timeInterval)
        self.settledDate = self.processingDate.addingTimeInterval(settlementDelay.timeInterval)
        self.outcome = outcome
        if let lateReturn, outcome == .completed {
            self.lateReturn = LateReturn(
                at: self.settledAt + lateReturn.after,
                date: self.settledDate.addingTimeInterval(lateReturn.after.timeInterval),
                achReturn: lateReturn.achReturn
            )
        } else {
            self.lateReturn = nil
        }
    }

    /// The status at `now`: `pending`, `processing`, then `completed` or `returned` (and, for a late return,
    /// `completed` until the return comes).
    func status(at now: ContinuousClock.Instant) -> String {
        if now < self.processingAt { return "pending" }
        if now < self.settledAt { return "processing" }
        if let lateReturn, now >= lateReturn.at { return "returned" }
        return self.finalStatus
    }

    /// The return code at `now`, once the payment is returned.
    func returnCode(at now: ContinuousClock.Instant) -> String? {
        if let lateReturn { return now >= lateReturn.at ? lateReturn.achReturn.code : nil }
        return self.status(at: now) == "returned" ? self.achReturn?.code : nil
    }

    /// When the status in force at `now` began, as a date.
    func updatedDate(at now: ContinuousClock.Instant) -> Date {
        if now < self.processingAt { return self.acceptedDate }
        if now < self.settledAt { return self.processingDate }
        if let lateReturn, now >= lateReturn.at { return lateReturn.date }
        return self.settledDate
    }

    /// `completed` or `returned`: how the payment settles, before any late return.
    var finalStatus: String {
        switch self.outcome {
        case .completed: "completed"
        case .returned: "returned"
        }
    }

    /// The return at settlement, if the payment settles as returned.
    var achReturn: ACHReturn? {
        if case .returned(let achReturn) = self.outcome { return achReturn }
        return nil
    }
}
