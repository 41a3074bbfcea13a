import Foundation
import PaymentsOrchestrator
import Testing

@Suite("Job signal: the workers' wake-up")
struct JobSignalTests {
    @Test("A wait ended by a notification leaves nothing behind: the next wait lasts until its timeout")
    func noStaleWakeUp() async throws {
        let signal = JobSignal()
        async let woken: Void = signal.wait(upTo: .seconds(10))
        try await Task.sleep(for: .milliseconds(50))
        signal.notify()
        await woken
        for _ in 0..<3 {
            let start = ContinuousClock.now
            await signal.wait(upTo: .milliseconds(200))
            #expect(ContinuousClock.now - start >= .milliseconds(150))
        }
    }

    @Test("A notification before the wait is kept: the wait returns at once")
    func pendingNotification() async {
        let signal = JobSignal()
        signal.notify()
        let start = ContinuousClock.now
        await signal.wait(upTo: .seconds(10))
        #expect(ContinuousClock.now - start < .seconds(1))
    }
}
