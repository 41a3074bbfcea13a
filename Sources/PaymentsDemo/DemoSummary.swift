/// What a demo run did and saw: requests sent and how they were answered, the final status of every accepted
/// payment, and latency percentiles. ``text`` renders it for people; ``succeeded`` decides the exit status.
public struct DemoSummary: Sendable {
    /// One accepted payment as last seen.
    public struct Payment: Sendable, Hashable {
        /// The server's id.
        public let paymentID: String
        /// The run's `client_ref` for it.
        public let clientRef: String
        /// Its status when the run ended.
        public let status: String
    }

    /// The run's id, as in its `client_ref`s.
    public var runID: String
    /// The server, as shown to users.
    public var url: String
    /// Create requests sent (each got an answer, an error, or was cancelled by an interruption).
    public var sent = 0
    /// Valid payments answered `201`.
    public var accepted = 0
    /// Deliberately invalid requests answered `422 application/problem+json` naming the expected field.
    public var rejectedAsExpected = 0
    /// ``rejectedAsExpected`` by what was wrong with the request.
    public var rejectedByFlaw: [DemoRequest.Flaw: Int] = [:]
    /// Create requests answered unexpectedly or not at all, by reason (`HTTP 503 for a valid payment`).
    public var createErrors: [String: Int] = [:]
    /// Failed polls of accepted payments, by reason.
    public var pollErrors: [String: Int] = [:]
    /// Accepted payments in a terminal status at the end, by status.
    public var finalStatuses: [String: Int] = [:]
    /// Accepted payments still not terminal at the end, by their last seen status.
    public var notTerminal: [String: Int] = [:]
    /// Every accepted payment as last seen, in request order.
    public var payments: [Payment] = []
    /// Latency of the create requests answered `201`.
    public var createLatency = LatencyStatistics([])
    /// Creation to terminal status of the payments that settled, by the server's timestamps.
    public var timeToTerminal = LatencyStatistics([])
    /// How long the run was allowed to wait for payments to settle.
    public var wait: Duration = .zero
    /// Whether it waited until every accepted payment was terminal (or the wait passed).
    public var waited = false
    /// Whether the run was interrupted (Ctrl-C) before it finished.
    public var interrupted = false
    /// The whole run's duration.
    public var elapsed: Duration = .zero

    /// Creates an empty summary.
    public init(runID: String, url: String) {
        self.runID = runID
        self.url = url
    }

    /// Create requests that went wrong.
    public var createErrorCount: Int { createErrors.values.reduce(0, +) }
    /// Polls that went wrong.
    public var pollErrorCount: Int { pollErrors.values.reduce(0, +) }
    /// Everything unexpected: create and poll errors.
    public var unexpectedErrors: Int { createErrorCount + pollErrorCount }
    /// Accepted payments that settled.
    public var terminalCount: Int { finalStatuses.values.reduce(0, +) }
    /// Accepted payments that did not settle.
    public var notTerminalCount: Int { notTerminal.values.reduce(0, +) }

    /// Why the run failed, one line each; empty when it succeeded.
    public var failures: [String] {
        var reasons: [String] = []
        if interrupted { reasons.append("interrupted before the end") }
        if createErrorCount > 0 {
            reasons.append("\(createErrorCount) create request\(createErrorCount == 1 ? "" : "s") went wrong")
        }
        if pollErrorCount > 0 {
            reasons.append("\(pollErrorCount) poll\(pollErrorCount == 1 ? "" : "s") of accepted payments went wrong")
        }
        if waited && notTerminalCount > 0 {
            reasons.append(
                "\(notTerminalCount) accepted payment\(notTerminalCount == 1 ? " was" : "s were") not terminal after \(Self.format(wait))"
            )
        }
        return reasons
    }

    /// True when nothing unexpected happened and, if the run waited, every accepted payment settled.
    public var succeeded: Bool { failures.isEmpty }
}
