import Foundation

/// A broken rule: where, and the events that led there.
public struct SimulationViolation: Sendable {
    /// The step after which it was seen (the steps count on into the settling that ends a run).
    public var step: Int
    /// The rule, and the payment or job that broke it.
    public var rule: String
    /// The events of the payment at fault (or the last events, when the rule is about no one payment), oldest first.
    public var trace: [String]
}

/// What a run did and found.
public struct SimulationReport: Sendable {
    public var seed: UInt64
    public var steps: Int
    /// Steps taken: fewer than ``steps`` when a violation stopped the run, more when settling took some.
    public var stepsTaken: Int
    public var faults: String
    public var mutation: SimulationMutation?
    /// The first broken rule, if any.
    public var violation: SimulationViolation?
    /// Payments stored, and how they ended.
    public var payments: Int
    public var statuses: [String: Int]
    /// Faults injected, by kind (the simulator's and the bank's own).
    public var faultCounts: [String: Int]
    /// Crashes, by process.
    public var crashes: Int
    /// Wall time of the run, in seconds.
    public var seconds: Double

    /// The command that runs exactly this again.
    public var replayCommand: String {
        var command = "swift run -c release payments-simulator --seed \(seed) --steps \(steps) --faults \(faults)"
        if let mutation { command += " --mutation \(mutation.rawValue)" }
        return command
    }

    /// A readable account of the run.
    public var text: String {
        var lines: [String] = []
        let rate = seconds > 0 ? Int(Double(stepsTaken) / seconds) : 0
        lines.append(
            "seed \(seed): \(steps) steps, faults \(faults)" + (mutation.map { ", mutation \($0.rawValue)" } ?? "")
                + String(format: ", %.1f s (%d steps/s)", seconds, rate))
        let ended = statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("  payments \(payments): \(ended)")
        let faultText = faultCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            .joined(separator: ", ")
        lines.append("  faults: crashes \(crashes)" + (faultText.isEmpty ? "" : ", \(faultText)"))
        if let violation {
            lines.append("  VIOLATION after step \(violation.step): \(violation.rule)")
            lines.append("  events that led there:")
            lines.append(contentsOf: violation.trace.map { "    \($0)" })
            lines.append("  replay: \(replayCommand)")
        } else {
            lines.append("  invariants held after every step and at quiescence")
        }
        return lines.joined(separator: "\n")
    }
}
