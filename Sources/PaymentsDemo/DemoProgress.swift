/// Where a demo run is: sending the create requests, then waiting for the accepted payments to settle.
public struct DemoProgress: Sendable, Hashable {
    /// The two phases of a run.
    public enum Phase: String, Sendable, Hashable {
        /// Sending `POST /v1/payments`.
        case creating
        /// Polling the accepted payments until each is completed, returned or failed.
        case settling
    }

    /// The current phase.
    public var phase: Phase
    /// Create requests answered (or failed) so far.
    public var sent: Int
    /// Create requests in the run.
    public var count: Int
    /// `201`s so far.
    public var accepted: Int
    /// Deliberately invalid requests answered `422` as expected.
    public var rejectedAsExpected: Int
    /// Anything unexpected so far, while creating and while polling.
    public var errors: Int
    /// Accepted payments seen in a terminal status, by status.
    public var terminal: [String: Int]
    /// Time since the run started.
    public var elapsed: Duration

    /// Creates a progress report.
    public init(
        phase: Phase, sent: Int, count: Int, accepted: Int, rejectedAsExpected: Int, errors: Int,
        terminal: [String: Int] = [:], elapsed: Duration
    ) {
        self.phase = phase
        self.sent = sent
        self.count = count
        self.accepted = accepted
        self.rejectedAsExpected = rejectedAsExpected
        self.errors = errors
        self.terminal = terminal
        self.elapsed = elapsed
    }

    /// Accepted payments that reached a terminal status.
    public var terminalCount: Int { terminal.values.reduce(0, +) }

    /// Work done in this phase: requests sent while creating, payments settled while settling.
    public var done: Int { phase == .creating ? sent : terminalCount }
    /// Work in this phase: every request while creating, every accepted payment while settling.
    public var total: Int { phase == .creating ? count : accepted }
    /// Whether this phase has nothing left to do.
    public var isPhaseComplete: Bool { done >= total }
}
