import PaymentsSupport
import Synchronization
import TestSupport
import Testing

@Suite("Wake-up signal: the workers' and batch processors' wake-up")
struct WakeUpSignalTests {
    @Test("A wait ended by a notification leaves nothing behind: the next wait lasts until its timeout")
    func noStaleWakeUp() async throws {
        let signal = WakeUpSignal()
        let clock = ManualClock()
        async let woken: Void = signal.wait(upTo: .seconds(10), clock: clock)
        #expect(await eventually { clock.sleeperCount == 1 })
        signal.notify()
        await woken
        for _ in 0..<3 {
            let returned = Flag()
            let waiter = Task {
                await signal.wait(upTo: .milliseconds(200), clock: clock)
                returned.raise()
            }
            #expect(await eventually { clock.sleeperCount == 1 })
            clock.advance(by: .milliseconds(199))
            try await Task.sleep(for: .milliseconds(20))
            #expect(!returned.isRaised, "returned before its timeout")
            clock.advance(by: .milliseconds(1))
            await waiter.value
            #expect(returned.isRaised)
        }
    }

    @Test("Booked wake-ups end long timed waits when due, earliest first, each once")
    func bookedWakeUp() async {
        let signal = WakeUpSignal()
        let booked = ContinuousClock.now
        signal.notify(after: .seconds(30))
        signal.notify(after: .milliseconds(100))
        signal.notify(after: .seconds(1))
        await signal.wait(upTo: .seconds(60))
        let first = ContinuousClock.now - booked
        #expect(first >= .milliseconds(100) && first < .seconds(1), "\(first)")
        // Spent: the next wait lasts until the second booking, not the first.
        await signal.wait(upTo: .seconds(60))
        let second = ContinuousClock.now - booked
        #expect(second >= .seconds(1) && second < .seconds(10), "\(second)")
        // The third is 30 s off: a shorter wait runs to its own timeout.
        let started = ContinuousClock.now
        await signal.wait(upTo: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        // A booking already due ends the next wait at once.
        signal.notify(after: .zero)
        let last = ContinuousClock.now
        await signal.wait(upTo: .seconds(60))
        #expect(ContinuousClock.now - last < .seconds(10))
    }

    @Test("A notification before the wait is kept: the wait returns at once")
    func pendingNotification() async {
        let signal = WakeUpSignal()
        signal.notify()
        await signal.wait(upTo: .seconds(3600), clock: ManualClock())
        signal.notify()
        await signal.wait()
    }

    @Test("A cleared notification is forgotten, and a cancelled wait returns without leaving one")
    func clearedAndCancelled() async throws {
        let signal = WakeUpSignal()
        let clock = ManualClock()
        signal.notify()
        signal.clearPending()
        let waiter = Task { await signal.wait() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await waiter.value
        let timed = Task { await signal.wait(upTo: .seconds(1), clock: clock) }
        #expect(await eventually { clock.sleeperCount == 1 })
        clock.advance(by: .seconds(1))
        await timed.value
    }
}

/// A flag one task raises and another reads.
private final class Flag: Sendable {
    private let state = Mutex(false)

    func raise() { state.withLock { $0 = true } }

    var isRaised: Bool { state.withLock { $0 } }
}
