/// A circuit breaker as a state machine with no I/O or clock of its own: the caller passes the time in and carries out
/// what it answers (postgres-nio's `PoolStateMachine` style).
///
/// Closed, it lets every call through and keeps the outcomes of the last `windowSize` calls; once at least
/// `minimumCalls` are recorded and the failure rate reaches `failureRateThreshold` it opens. Open, it refuses calls
/// for `coolDown`, then goes half-open and lets `halfOpenProbes` calls through: all succeeding close it, any failing
/// opens it again.
public struct CircuitBreaker: Sendable {
    /// Tuning.
    public struct Configuration: Sendable, Hashable {
        /// Outcomes remembered while closed.
        public var windowSize: Int
        /// Outcomes needed before the rate is judged.
        public var minimumCalls: Int
        /// Failure share (0...1) that opens the circuit.
        public var failureRateThreshold: Double
        /// How long the circuit stays open before probing.
        public var coolDown: Duration
        /// Calls let through while half-open.
        public var halfOpenProbes: Int

        /// Creates a configuration.
        public init(
            windowSize: Int, minimumCalls: Int, failureRateThreshold: Double, coolDown: Duration, halfOpenProbes: Int
        ) {
            self.windowSize = windowSize
            self.minimumCalls = minimumCalls
            self.failureRateThreshold = failureRateThreshold
            self.coolDown = coolDown
            self.halfOpenProbes = halfOpenProbes
        }

        /// For the partner bank: judge the last 20 calls once 10 are in, open at half failing, probe after 15 s with
        /// 3 calls.
        public static let bank = Configuration(
            windowSize: 20, minimumCalls: 10, failureRateThreshold: 0.5, coolDown: .seconds(15), halfOpenProbes: 3
        )
    }

    /// The breaker's state, as exported (`bank_circuit_state`: 0 closed, 1 half-open, 2 open).
    public enum State: Int, Sendable, Hashable, CustomStringConvertible {
        case closed = 0
        case halfOpen = 1
        case open = 2

        public var description: String {
            switch self {
            case .closed: "closed"
            case .halfOpen: "half_open"
            case .open: "open"
            }
        }
    }

    /// Whether a call may go ahead.
    public enum Permission: Sendable, Hashable {
        case allowed
        /// Refused; try again after this long.
        case refused(retryAfter: Duration)
    }

    /// The outcome of a call, as far as the breaker cares.
    public enum Outcome: Sendable, Hashable {
        /// The remote answered (even with a rejection: it is healthy).
        case success
        /// No usable answer: connection error, timeout, 5xx.
        case failure
    }

    /// Tuning in force.
    public let configuration: Configuration
    private var phase: Phase
    private var window: [Bool] = []  // true = failure, oldest first

    private enum Phase: Sendable {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen(admitted: Int, succeeded: Int)
    }

    /// A closed breaker.
    public init(configuration: Configuration) {
        self.configuration = configuration
        self.phase = .closed
    }

    /// The current state.
    public var state: State {
        switch phase {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        }
    }

    /// Asks to make a call; a half-open breaker counts the call as one of its probes. Returns a state change when the
    /// cool-down ended.
    public mutating func requestPermission(now: ContinuousClock.Instant) -> (Permission, State?) {
        switch phase {
        case .closed:
            return (.allowed, nil)
        case .open(let until):
            guard now >= until else { return (.refused(retryAfter: until - now), nil) }
            phase = .halfOpen(admitted: 1, succeeded: 0)
            return (.allowed, .halfOpen)
        case .halfOpen(let admitted, let succeeded):
            guard admitted < configuration.halfOpenProbes else {
                // Probes are out; the others wait a little for their verdict.
                return (.refused(retryAfter: min(configuration.coolDown, .seconds(1))), nil)
            }
            phase = .halfOpen(admitted: admitted + 1, succeeded: succeeded)
            return (.allowed, nil)
        }
    }

    /// Records a call's outcome; returns the new state when it changed.
    public mutating func record(_ outcome: Outcome, now: ContinuousClock.Instant) -> State? {
        switch phase {
        case .closed:
            window.append(outcome == .failure)
            if window.count > configuration.windowSize { window.removeFirst(window.count - configuration.windowSize) }
            let failures = window.filter { $0 }.count
            guard window.count >= configuration.minimumCalls,
                Double(failures) >= configuration.failureRateThreshold * Double(window.count)
            else { return nil }
            open(now: now)
            return .open
        case .open:
            // A call admitted before the circuit opened finished late; its outcome no longer matters.
            return nil
        case .halfOpen(let admitted, let succeeded):
            guard outcome == .success else {
                open(now: now)
                return .open
            }
            guard succeeded + 1 >= configuration.halfOpenProbes else {
                phase = .halfOpen(admitted: admitted, succeeded: succeeded + 1)
                return nil
            }
            phase = .closed
            window = []
            return .closed
        }
    }

    /// Whether a call made now would be allowed, without counting it (for deciding whether to claim work at all).
    public func wouldAllow(now: ContinuousClock.Instant) -> Bool {
        switch phase {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen(let admitted, _): admitted < configuration.halfOpenProbes
        }
    }

    private mutating func open(now: ContinuousClock.Instant) {
        phase = .open(until: now + configuration.coolDown)
        window = []
    }
}
