import PaymentsCore
import Testing

@Suite("Circuit breaker state machine")
struct CircuitBreakerTests {
    let configuration = CircuitBreaker.Configuration(
        windowSize: 10, minimumCalls: 4, failureRateThreshold: 0.5, coolDown: .seconds(10), halfOpenProbes: 2
    )
    let start = ContinuousClock.now

    @Test("Stays closed below the minimum calls and below the failure rate")
    func staysClosed() {
        var breaker = CircuitBreaker(configuration: configuration)
        #expect(breaker.record(.failure, now: start) == nil)
        #expect(breaker.record(.failure, now: start) == nil)
        #expect(breaker.record(.failure, now: start) == nil)
        #expect(breaker.state == .closed)  // all failing, but 3 calls < minimum 4
        #expect(breaker.record(.success, now: start) == .open)  // 3 of 4 failing
        breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<10 { _ = breaker.record(.success, now: start) }
        #expect(breaker.record(.failure, now: start) == nil)  // 1 of 10 failing
        #expect(breaker.state == .closed)
    }

    @Test("Opens at the failure rate, refuses with the remaining cool-down, then probes half-open")
    func opensThenProbes() {
        var breaker = CircuitBreaker(configuration: configuration)
        _ = breaker.record(.success, now: start)
        _ = breaker.record(.success, now: start)
        _ = breaker.record(.failure, now: start)
        #expect(breaker.record(.failure, now: start) == .open)
        #expect(breaker.state == .open)
        #expect(breaker.requestPermission(now: start + .seconds(4)).0 == .refused(retryAfter: .seconds(6)))
        #expect(!breaker.wouldAllow(now: start + .seconds(9)))
        #expect(breaker.wouldAllow(now: start + .seconds(10)))
        let (permission, change) = breaker.requestPermission(now: start + .seconds(10))
        #expect(permission == .allowed)
        #expect(change == .halfOpen)
        #expect(breaker.requestPermission(now: start + .seconds(10)).0 == .allowed)
        // Only two probes.
        guard case .refused = breaker.requestPermission(now: start + .seconds(10)).0 else {
            Issue.record("third probe should be refused")
            return
        }
        #expect(breaker.record(.success, now: start + .seconds(11)) == nil)
        #expect(breaker.record(.success, now: start + .seconds(11)) == .closed)
        #expect(breaker.state == .closed)
    }

    @Test("A failing probe opens the circuit again for a full cool-down")
    func failingProbeReopens() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<4 { _ = breaker.record(.failure, now: start) }
        _ = breaker.requestPermission(now: start + .seconds(10))
        #expect(breaker.record(.failure, now: start + .seconds(11)) == .open)
        #expect(breaker.requestPermission(now: start + .seconds(12)).0 == .refused(retryAfter: .seconds(9)))
    }

    @Test("Late outcomes of calls admitted before opening are ignored")
    func lateOutcomesIgnored() {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<4 { _ = breaker.record(.failure, now: start) }
        #expect(breaker.record(.success, now: start) == nil)
        #expect(breaker.state == .open)
    }
}
