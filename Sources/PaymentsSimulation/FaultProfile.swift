import BankSandbox

/// How often things go wrong in a run: the bank's faults (the sandbox's own), the network's, the database's and the
/// processes'.
public struct FaultProfile: Sendable {
    /// The name `--faults` takes.
    public var name: String
    /// The bank's faults, decided by the sandbox's own logic.
    public var bank: SandboxFaults
    /// A store call fails before it commits.
    public var storeFailure: Double
    /// A store call commits and its acknowledgement is lost.
    public var storeLostAcknowledgement: Double
    /// A bank call never reaches the bank (connection refused).
    public var bankUnreachable: Double
    /// A bank call is answered and the answer is lost (a timeout after the bank acted).
    public var bankLostAnswer: Double
    /// A delivered webhook is delivered again later.
    public var webhookRedelivery: Double
    /// A due webhook is lost on the way.
    public var webhookLoss: Double
    /// A process crashes, per step.
    public var crash: Double
    /// The clock jumps by minutes, per step (a long pause: leases and retry windows run out).
    public var clockJump: Double

    /// What a bad day looks like: a few percent of calls fail, processes rarely crash.
    public static let realistic = FaultProfile(
        name: "realistic",
        bank: SandboxFaults(
            errorRate: 0.02, hangRate: 0.01, rateLimitRate: 0.02, rejectRate: 0.05, returnRate: 0.05,
            duplicateWebhookRate: 0.05, reorderWebhooks: false, webhookDelayMs: 500, dropWebhookRate: 0.02,
            lateReturnRate: 0.02, lateReturnAfterMs: 60_000, ambiguousAcceptRate: 0.01
        ),
        storeFailure: 0.005, storeLostAcknowledgement: 0.002, bankUnreachable: 0.01, bankLostAnswer: 0.01,
        webhookRedelivery: 0.05, webhookLoss: 0.02, crash: 0.001, clockJump: 0.002
    )

    /// Everything going wrong at once, often.
    public static let hostile = FaultProfile(
        name: "hostile",
        bank: SandboxFaults(
            errorRate: 0.15, hangRate: 0.1, rateLimitRate: 0.1, rejectRate: 0.1, returnRate: 0.15,
            duplicateWebhookRate: 0.3, reorderWebhooks: true, webhookDelayMs: 2_000, dropWebhookRate: 0.2,
            lateReturnRate: 0.1, lateReturnAfterMs: 30_000, ambiguousAcceptRate: 0.15
        ),
        storeFailure: 0.05, storeLostAcknowledgement: 0.03, bankUnreachable: 0.1, bankLostAnswer: 0.1,
        webhookRedelivery: 0.3, webhookLoss: 0.15, crash: 0.01, clockJump: 0.01
    )

    /// Nothing goes wrong: how a run ends, so that every payment can settle.
    public static let none = FaultProfile(
        name: "none", bank: .none, storeFailure: 0, storeLostAcknowledgement: 0, bankUnreachable: 0,
        bankLostAnswer: 0, webhookRedelivery: 0, webhookLoss: 0, crash: 0, clockJump: 0
    )

    /// The profiles `--faults` names.
    public static let all: [FaultProfile] = [.realistic, .hostile, .none]
}
