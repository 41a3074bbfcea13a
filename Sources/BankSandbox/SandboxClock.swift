import Foundation
import PaymentsSupport
import Synchronization

/// The sandbox's time: token lifetimes, settlement schedules and the events' `occurred_at`. The system's unless a
/// test moves it forward, so that a token expires or a payment settles without waiting for it.
public final class SandboxClock: Sendable {
    private let offset = Mutex(Duration.zero)

    /// The system's time, until ``advance(by:)``.
    public init() {}

    /// Moves this clock's time forward; deliveries already scheduled fall due that much sooner.
    public func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }

    /// Now, on the monotonic clock.
    public var now: ContinuousClock.Instant { ContinuousClock.now + offset.withLock { $0 } }

    /// Now, as a date.
    public var date: Date { Date().addingTimeInterval(offset.withLock { $0 }.timeInterval) }
}
