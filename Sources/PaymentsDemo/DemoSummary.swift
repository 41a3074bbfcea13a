/// What a demo run did and saw: requests sent and how they were answered, the final status of every accepted
/// payment, the signed notifications it received, and latency percentiles. ``text`` renders it for people;
/// ``succeeded`` decides the exit status.
public struct DemoSummary: Sendable {
    /// Whether the run checked the server's webhook notifications, and what it saw.
    public enum NotificationCheck: Sendable, Hashable {
        /// Not asked for (the default against a server that is not on loopback).
        case off
        /// Asked for, but the endpoint could not be registered; the run went on without. The reason is one line.
        case unavailable(reason: String)
        /// An endpoint was registered and its deliveries checked.
        case checked(Notifications)
    }

    /// What the run's webhook endpoint received.
    public struct Notifications: Sendable, Hashable {
        /// Where deliveries were posted, e.g. `http://127.0.0.1:40125/demo/3f9a2c1b`.
        public var endpointURL: String
        /// Distinct events (by `Payments-Event-Id`) about the run's payments, with a valid signature.
        public var received = 0
        /// Deliveries of an event already received.
        public var redelivered = 0
        /// Validly signed deliveries about anything else (other payments of the client, the endpoint).
        public var otherEvents = 0
        /// Deliveries whose signature was valid.
        public var verified = 0
        /// Deliveries refused (answered `400`) for their signature, by reason (`wrong signature`).
        public var rejectedByReason: [String: Int] = [:]
        /// Accepted payments in a terminal status at the end.
        public var settled = 0
        /// Of those, the ones an event told in that final status.
        public var notified = 0
        /// The payment's `updated_at` in the event telling its final status to its arrival.
        public var lag = LatencyStatistics([])
        /// How long the run waited, after the payments settled, for the notifications still missing.
        public var waited: Duration = .zero
        /// The endpoint's id when deleting it at the end failed; `nil` once it is deleted.
        public var endpointLeftBehind: String?

        /// Creates empty counts for an endpoint.
        public init(endpointURL: String) {
            self.endpointURL = endpointURL
        }

        /// Deliveries refused for their signature.
        public var rejected: Int { rejectedByReason.values.reduce(0, +) }
        /// Settled payments whose final status no event told.
        public var notNotified: Int { settled - notified }
    }

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
    /// Whether the run checked the server's webhook notifications, and what it saw.
    public var notifications: NotificationCheck = .off
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
        if case .checked(let notifications) = notifications {
            let rejected = notifications.rejected
            if rejected > 0 {
                reasons.append("\(rejected) notification\(rejected == 1 ? "" : "s") with a bad signature")
            }
            let missing = notifications.notNotified
            if missing > 0 && !interrupted {
                reasons.append(
                    "\(missing) settled payment\(missing == 1 ? " was" : "s were") not notified of \(missing == 1 ? "its" : "their") final status"
                )
            }
        }
        return reasons
    }

    /// The notifications checked, when they were.
    public var checkedNotifications: Notifications? {
        if case .checked(let notifications) = notifications { return notifications }
        return nil
    }

    /// True when nothing unexpected happened and, if the run waited, every accepted payment settled; when
    /// notifications were checked, every signature was valid and every settled payment's final status was notified.
    public var succeeded: Bool { failures.isEmpty }
}
