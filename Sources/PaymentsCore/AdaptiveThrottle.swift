/// Client-side adaptive throttling (Google's SRE book, "Handling Overload"), as a state machine with no I/O or clock of
/// its own: the caller passes the time in.
///
/// Over a sliding `window` it counts the calls the client wanted to make (`requests`) and those the bank accepted
/// (`accepts`: it answered, even with a rejection of the payment), and refuses a call locally with probability
/// `max(0, (requests − multiplier · accepts) / (requests + 1))`, so at most about `multiplier` calls per accept reach
/// the bank. The book's multiplier of 2 suits a server that sheds load; a bank whose failures are random rather than
/// a capacity limit, accepting a share below 1/multiplier, gets ever less traffic until only probes pass. With 3, a
/// flaky bank answering a third or more of its calls (50 % 5xx and 10 % hangs leave 45 %) is not throttled at all;
/// one answering less is cut back to probes and the bursts after each accepted one. A bank that accepts nothing (`minimumRequests` calls, no accept) is `dead`: one probe call goes through
/// every `probeInterval`, and the first accepted probe starts the window afresh. A call let through counts once its
/// outcome is known, so calls in flight never count against the bank.
public struct AdaptiveThrottle: Sendable {
    /// Tuning.
    public struct Configuration: Sendable, Hashable {
        /// How far back requests and accepts are counted.
        public var window: Duration
        /// The SRE book's K: how many requests per accept are let through before throttling starts.
        public var multiplier: Double
        /// Calls in the window, none accepted, that make the bank count as dead.
        public var minimumRequests: Int
        /// While the bank is dead, one call every this long.
        public var probeInterval: Duration

        /// Creates a configuration.
        public init(window: Duration, multiplier: Double, minimumRequests: Int, probeInterval: Duration) {
            self.window = window
            self.multiplier = multiplier
            self.minimumRequests = minimumRequests
            self.probeInterval = probeInterval
        }

        /// For the partner bank: 30 s of history, K = 3, dead after 10 unanswered calls, then a probe a second.
        public static let bank = Configuration(
            window: .seconds(30), multiplier: 3, minimumRequests: 10, probeInterval: .seconds(1)
        )
    }

    /// The throttle's state, as exported (`bank_circuit_state`).
    public enum State: Int, Sendable, Hashable, CustomStringConvertible {
        /// Every call goes through.
        case open = 0
        /// Some calls are refused locally, in proportion to what the bank fails.
        case throttling = 1
        /// The bank accepts nothing: one probe per interval.
        case dead = 2

        public var description: String {
            switch self {
            case .open: "open"
            case .throttling: "throttling"
            case .dead: "dead"
            }
        }
    }

    /// Tuning in force.
    public let configuration: Configuration
    private var buckets: [Bucket] = []
    private var lastProbe: ContinuousClock.Instant?

    /// Requests and accepts of one second.
    private struct Bucket: Sendable {
        var second: Int64
        var requests: Int
        var accepts: Int
    }

    /// A throttle that lets everything through until the bank fails.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The probability that a call now is refused locally.
    public func rejectionProbability(now: ContinuousClock.Instant) -> Double {
        let (requests, accepts) = totals(now: now)
        if isDead(requests: requests, accepts: accepts) { return 1 }
        return max(0, (Double(requests) - configuration.multiplier * Double(accepts)) / Double(requests + 1))
    }

    /// The state now.
    public func state(now: ContinuousClock.Instant) -> State {
        let (requests, accepts) = totals(now: now)
        if isDead(requests: requests, accepts: accepts) { return .dead }
        return rejectionProbability(now: now) > 0 ? .throttling : .open
    }

    /// Asks to make a call, with `random` drawn uniformly from 0..<1: `true` lets it through. A call refused here is
    /// counted as a request at once, as the SRE book does (so rising demand raises the refusal rate), except while the
    /// bank is dead and it is not time to probe; a call let through is counted when its outcome is recorded, so that
    /// a burst of calls still waiting for their first answers is not taken for failures.
    public mutating func admit(now: ContinuousClock.Instant, random: Double) -> Bool {
        let (requests, accepts) = totals(now: now)
        if isDead(requests: requests, accepts: accepts) {
            if let lastProbe, now - lastProbe < configuration.probeInterval { return false }
            lastProbe = now
            return true
        }
        let probability = max(0, (Double(requests) - configuration.multiplier * Double(accepts)) / Double(requests + 1))
        guard random >= probability else {
            count(now: now, request: true, accept: false)
            return false
        }
        return true
    }

    /// Whether a call now could go through, without counting it: `false` only while the bank is dead and the next
    /// probe is not due (for deciding whether to take work from the queue at all).
    public func mightAdmit(now: ContinuousClock.Instant) -> Bool {
        let (requests, accepts) = totals(now: now)
        guard isDead(requests: requests, accepts: accepts), let lastProbe else { return true }
        return now - lastProbe >= configuration.probeInterval
    }

    /// Records the outcome of a call that was let through: `accepted` when the bank answered it (even refusing the
    /// payment). The first accept after the bank was dead starts the window afresh.
    public mutating func record(accepted: Bool, now: ContinuousClock.Instant) {
        let (requests, accepts) = totals(now: now)
        if accepted, isDead(requests: requests, accepts: accepts) {
            buckets = []
            lastProbe = nil
        }
        count(now: now, request: true, accept: accepted)
    }

    /// The time left before the next probe, while the bank is dead.
    public func timeToNextProbe(now: ContinuousClock.Instant) -> Duration {
        guard let lastProbe else { return .zero }
        return max(.zero, configuration.probeInterval - (now - lastProbe))
    }

    private func isDead(requests: Int, accepts: Int) -> Bool {
        accepts == 0 && requests >= configuration.minimumRequests
    }

    private func totals(now: ContinuousClock.Instant) -> (requests: Int, accepts: Int) {
        let oldest = Self.second(of: now) - configuration.window.components.seconds
        var requests = 0
        var accepts = 0
        for bucket in buckets where bucket.second > oldest {
            requests += bucket.requests
            accepts += bucket.accepts
        }
        return (requests, accepts)
    }

    private mutating func count(now: ContinuousClock.Instant, request: Bool, accept: Bool) {
        let second = Self.second(of: now)
        let oldest = second - configuration.window.components.seconds
        buckets.removeAll { $0.second <= oldest }
        if buckets.last?.second != second { buckets.append(Bucket(second: second, requests: 0, accepts: 0)) }
        if request { buckets[buckets.count - 1].requests += 1 }
        if accept { buckets[buckets.count - 1].accepts += 1 }
    }

    private static func second(of instant: ContinuousClock.Instant) -> Int64 {
        (instant - ContinuousClock.Instant.zeroReference).components.seconds
    }
}

extension ContinuousClock.Instant {
    /// A fixed instant to count whole seconds from.
    fileprivate static let zeroReference = ContinuousClock.now
}
