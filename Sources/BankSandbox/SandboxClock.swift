import Foundation
import PaymentsSupport
import Synchronization

/// The sandbox's time: token lifetimes, settlement schedules and the events' `occurred_at`. The system's unless a
/// test moves it forward, so that a token expires or a payment settles without waiting for it; or, for a simulation,
/// standing still at a given date until moved.
public final class SandboxClock: Sendable {
    private let offset = Mutex(Duration.zero)
    /// The instant and date a stopped clock started from; `nil` for one that follows the system's time.
    private let stoppedAt: (instant: ContinuousClock.Instant, date: Date)?

    /// The system's time, until ``advance(by:)``.
    public init() {
        stoppedAt = nil
    }

    /// A clock that reads `date` until ``advance(by:)`` moves it: time passes only when a simulation says so.
    public init(stoppedAt date: Date) {
        stoppedAt = (ContinuousClock.now, date)
    }

    /// Moves this clock's time forward; deliveries already scheduled fall due that much sooner.
    public func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }

    /// Now, on the monotonic clock.
    public var now: ContinuousClock.Instant { (stoppedAt?.instant ?? ContinuousClock.now) + offset.withLock { $0 } }

    /// Now, as a date.
    public var date: Date { (stoppedAt?.date ?? Date()).addingTimeInterval(offset.withLock { $0 }.timeInterval) }

    /// The date of a monotonic instant on this clock.
    func date(of instant: ContinuousClock.Instant) -> Date {
        date.addingTimeInterval((instant - now).timeInterval)
    }
}
