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
