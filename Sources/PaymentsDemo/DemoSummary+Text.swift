import Foundation
import PaymentsSupport

extension DemoSummary {
    /// The summary for people, e.g.
    public var text: String {
        var lines: [String] = []
        lines.append(
            "payments demo: run \(runID) against \(url), \(sent) request\(sent == 1 ? "" : "s") in \(Self.format(elapsed))"
        )
        lines.append("")
        lines.append("Requests")
        lines.append(row("sent", sent))
        lines.append(row("accepted (201)", accepted))
        let flaws = DemoRequest.Flaw.allCases.compactMap { flaw in rejectedByFlaw[flaw].map { "\(flaw.label) \($0)" } }
        lines.append(row("rejected as expected (422)", rejectedAsExpected, note: flaws.joined(separator: ", ")))
        lines.append(row("unexpected errors", unexpectedErrors))
        for (reason, count) in createErrors.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key })
        {
            lines.append(row("  " + reason, count))
        }
        for (reason, count) in pollErrors.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append(row("  while polling: " + reason, count))
        }
        lines.append("")
        lines.append("Final status of the \(accepted) accepted payment\(accepted == 1 ? "" : "s")")
        for status in Self.statusOrder(Set(finalStatuses.keys).union(["completed", "returned", "failed"])) {
            lines.append(row(status, finalStatuses[status] ?? 0))
        }
        let pending = Self.statusOrder(notTerminal.keys).map { "\($0) \(notTerminal[$0] ?? 0)" }.joined(separator: ", ")
        let label = waited ? "not terminal after \(Self.format(wait))" : "not terminal (did not wait)"
        lines.append(row(label, notTerminalCount, note: pending))
        lines.append("")
        switch notifications {
        case .off:
            break
        case .unavailable(let reason):
            lines.append("Notifications: not checked: \(reason)")
            lines.append("")
        case .checked(let notifications):
            lines.append(contentsOf: notificationLines(notifications))
            lines.append("")
        }
        lines.append(
            "Latency".padding(toLength: 22, withPad: " ", startingAt: 0)
                + ["p50", "p95", "p99", "max"].map { $0.leftPadded(to: 10, with: " ") }.joined())
        lines.append(latencyRow("create (201)", createLatency))
        lines.append(latencyRow("time to terminal", timeToTerminal))
        if let notifications = checkedNotifications {
            lines.append(latencyRow("notification lag", notifications.lag))
        }
        lines.append("")
        lines.append(succeeded ? "Result: OK" : "Result: FAILED (\(failures.joined(separator: "; ")))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Notifications: notified 48 of 50 settled payments; 0 bad signatures`, then the counts.
    private func notificationLines(_ notifications: Notifications) -> [String] {
        let rejected = notifications.rejected
        var lines = [
            "Notifications: notified \(notifications.notified) of \(notifications.settled) settled payment"
                + "\(notifications.settled == 1 ? "" : "s"); \(rejected) bad signature\(rejected == 1 ? "" : "s")"
        ]
        lines.append(row("events received", notifications.received, note: "at \(notifications.endpointURL)"))
        lines.append(row("redelivered", notifications.redelivered))
        if notifications.otherEvents > 0 {
            lines.append(row("about other payments", notifications.otherEvents))
        }
        lines.append(row("signatures verified", notifications.verified))
        let reasons = notifications.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines.append(row("signatures rejected", rejected, note: reasons.joined(separator: ", ")))
        lines.append(
            row(
                "not notified of final status", notifications.notNotified,
                note: "waited \(Self.format(notifications.waited)) once the payments settled"))
        if let id = notifications.endpointLeftBehind {
            lines.append("  the endpoint could not be deleted: DELETE /v1/webhook_endpoints/\(id)")
        }
        return lines
    }

    private func row(_ label: String, _ value: Int, note: String = "") -> String {
        let text =
            "  " + label.padding(toLength: 32, withPad: " ", startingAt: 0) + String(value).leftPadded(to: 6, with: " ")
        return note.isEmpty ? text : text + "   " + note
    }

    private func latencyRow(_ label: String, _ statistics: LatencyStatistics) -> String {
        let values = [statistics.p50, statistics.p95, statistics.p99, statistics.max].map { value in
            (value.map(Self.format) ?? "-").leftPadded(to: 10, with: " ")
        }
        return "  " + label.padding(toLength: 20, withPad: " ", startingAt: 0) + values.joined()
    }

    /// `completed`, `returned`, `failed` first, then any other status alphabetically.
    static func statusOrder(_ statuses: some Sequence<String>) -> [String] {
        let known = ["initiated", "processing", "completed", "returned", "failed"]
        return Set(statuses).sorted { a, b in
            let (ia, ib) = (known.firstIndex(of: a) ?? known.count, known.firstIndex(of: b) ?? known.count)
            return ia != ib ? ia < ib : a < b
        }
    }

    /// `850 µs`, `12 ms`, `1.84 s`, `2 min 05 s`.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.timeInterval
        switch seconds {
        case ..<0.001: return "\(Int((seconds * 1_000_000).rounded())) µs"
        case ..<1: return "\(Int((seconds * 1000).rounded())) ms"
        case ..<60: return String(format: "%.2f s", seconds)
        default:
            let whole = Int(seconds.rounded())
            return "\(whole / 60) min \(String(whole % 60).leftPadded(to: 2)) s"
        }
    }
}
