import PaymentsCore
import Testing

@Suite("Adaptive throttle (client-side throttling from the SRE book)")
struct AdaptiveThrottleTests {
    let configuration = AdaptiveThrottle.Configuration.bank
    let start = ContinuousClock.now

    /// Drives `calls` calls, one every `spacing`, the bank accepting those for which `accepts(n)` is true; returns how
    /// many were let through.
    func drive(
        _ throttle: inout AdaptiveThrottle, calls: Int, spacing: Duration = .milliseconds(100), from: Duration = .zero,
        accepts: (Int) -> Bool
    ) -> Int {
        var generator = SplitMixRandom(seed: 7)
        var admitted = 0
        for call in 0..<calls {
            let now = start + from + spacing * call
            guard throttle.admit(now: now, random: Double.random(in: 0..<1, using: &generator)) else { continue }
            admitted += 1
            throttle.record(accepted: accepts(call), now: now)
        }
        return admitted
    }

    @Test("A healthy bank is never throttled")
    func healthyBank() {
        var throttle = AdaptiveThrottle(configuration: configuration)
        #expect(drive(&throttle, calls: 1_000) { _ in true } == 1_000)
        #expect(throttle.state(now: start + .seconds(100)) == .open)
        #expect(throttle.rejectionProbability(now: start + .seconds(100)) == 0)
    }

    @Test("A bank accepting half its calls is let through almost entirely: it gets work, not a cool-down")
    func flakyBankIsNotThrottled() {
        var throttle = AdaptiveThrottle(configuration: configuration)
        let admitted = drive(&throttle, calls: 1_000) { $0 % 2 == 0 }
        #expect(admitted >= 950, "admitted \(admitted) of 1000")
        #expect(throttle.state(now: start + .seconds(100)) != .dead)
    }

    @Test("A bank accepting a fifth of its calls is throttled hard but still probed: far fewer calls, never none")
    func mostlyFailingBankIsThrottledInProportion() {
        var throttle = AdaptiveThrottle(configuration: configuration)
        // The bank accepts one call in five of those that reach it.
        var reached = 0
        var generator = SplitMixRandom(seed: 11)
        var admitted = 0
        for call in 0..<3_000 {
            let now = start + .milliseconds(10) * call
            guard throttle.admit(now: now, random: Double.random(in: 0..<1, using: &generator)) else { continue }
            admitted += 1
            reached += 1
            throttle.record(accepted: reached % 5 == 0, now: now)
        }
        // The throttle sends at most about 3·accepts; a bank that accepts less than a third shrinks its own share
        // until only probes (one a second) and the bursts after an accepted probe go through.
        #expect(admitted >= 30 && admitted < 1_500, "admitted \(admitted) of 3000 over 30 s")
        #expect(throttle.state(now: start + .seconds(30)) != .open)
        #expect(throttle.rejectionProbability(now: start + .seconds(30)) > 0.3)
    }

    @Test("A dead bank gets one probe a second, and the first accepted probe opens the throttle")
    func deadBankIsProbed() {
        var throttle = AdaptiveThrottle(configuration: configuration)
        // Ten calls, none answered (the throttle already refuses some of them), make it dead.
        let admitted = drive(&throttle, calls: 10, spacing: .milliseconds(10)) { _ in false }
        #expect((1...10).contains(admitted))
        #expect(throttle.state(now: start + .milliseconds(100)) == .dead)
        #expect(throttle.rejectionProbability(now: start + .milliseconds(100)) == 1)
        // Over the next 20 s, a caller trying every 10 ms gets through once a second.
        let probes = drive(&throttle, calls: 2_000, spacing: .milliseconds(10), from: .milliseconds(100)) { _ in false }
        #expect((19...21).contains(probes), "\(probes) probes in 20 s")
        // The last probe was at 19.1 s: the next is not due before 20.1 s.
        #expect(!throttle.mightAdmit(now: start + .milliseconds(19_600)))
        #expect(throttle.timeToNextProbe(now: start + .milliseconds(19_600)) == .milliseconds(500))
        #expect(throttle.mightAdmit(now: start + .milliseconds(20_100)))
        // The bank answers a probe: everything goes through again.
        let recovery = start + .seconds(22)
        let probed = throttle.admit(now: recovery, random: 0.5)
        #expect(probed)
        throttle.record(accepted: true, now: recovery)
        #expect(throttle.state(now: recovery) == .open)
        #expect(drive(&throttle, calls: 50, from: .seconds(22)) { _ in true } == 50)
    }

    @Test("Calls in flight are not failures: a burst before the first answer all goes through")
    func burstBeforeFirstAnswer() {
        var throttle = AdaptiveThrottle(configuration: configuration)
        let admitted = (0..<50).filter { _ in throttle.admit(now: start, random: 0.01) }.count
        #expect(admitted == 50)
        #expect(throttle.state(now: start) == .open)
        for _ in 0..<50 { throttle.record(accepted: true, now: start + .milliseconds(300)) }
        #expect(throttle.rejectionProbability(now: start + .seconds(1)) == 0)
    }

    @Test("Old calls leave the window: a bank that failed a minute ago is judged afresh")
    func windowSlides() {
        var throttle = AdaptiveThrottle(configuration: configuration)
        _ = drive(&throttle, calls: 9, spacing: .milliseconds(10)) { _ in false }
        #expect(throttle.state(now: start + .seconds(1)) == .throttling)
        #expect(throttle.state(now: start + .seconds(31)) == .open)
        #expect(throttle.rejectionProbability(now: start + .seconds(31)) == 0)
    }
}

/// A seeded generator (SplitMix64), so that a run of random draws can be replayed.
struct SplitMixRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
