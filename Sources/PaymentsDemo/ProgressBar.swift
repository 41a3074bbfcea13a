import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shows a demo run's ``DemoProgress``: on a terminal, one line per phase redrawn in place (at most every 80 ms);
/// otherwise (a pipe, a log file, `docker compose up`) a plain line every few seconds and at the end of each phase,
/// so that logs stay readable.
public final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn: DemoProgress?
        var latest: DemoProgress?
        var lineOpen = false
    }

    private let interactive: Bool
    private let plainInterval: Duration
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// Creates a bar that writes through `write`; `interactive` redraws one line in place with carriage returns.
    public init(interactive: Bool, plainInterval: Duration = .seconds(2), write: @escaping @Sendable (String) -> Void) {
        self.interactive = interactive
        self.plainInterval = plainInterval
        self.write = write
    }

    /// A bar on standard error, redrawn in place when standard error is a terminal.
    public static func standardError() -> ProgressBar {
        ProgressBar(interactive: isatty(STDERR_FILENO) == 1) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// Takes the latest progress; draws it unless the last drawing is too recent.
    public func update(_ progress: DemoProgress) {
        let now = ContinuousClock.now
        state.withLock { state in
            var output = ""
            if let previous = state.latest, previous.phase != progress.phase {
                // A new phase: leave the previous one's final state on its own line.
                if state.drawn != previous { output += draw(previous, state: &state, now: now) }
                output += close(&state)
            }
            state.latest = progress
            let interval = interactive ? Duration.milliseconds(80) : plainInterval
            let due = state.lastDraw.map { now - $0 >= interval } ?? true
            if due || state.drawn?.phase != progress.phase || progress.isPhaseComplete {
                output += draw(progress, state: &state, now: now)
            }
            // Written under the lock, so that lines from concurrent callers never interleave.
            if !output.isEmpty { write(output) }
        }
    }

    /// Draws the latest progress if it was not drawn, and ends the line, so that what follows starts on its own.
    public func finish() {
        state.withLock { state in
            var output = ""
            if let latest = state.latest, state.drawn != latest { output += draw(latest, state: &state, now: .now) }
            output += close(&state)
            if !output.isEmpty { write(output) }
        }
    }

    private func draw(_ progress: DemoProgress, state: inout State, now: ContinuousClock.Instant) -> String {
        if !interactive, let drawn = state.drawn, Self.sameCounts(drawn, progress) { return "" }
        state.lastDraw = now
        state.drawn = progress
        if interactive {
            state.lineOpen = true
            return "\r\u{1B}[2K" + Self.line(progress, bar: true)
        }
        return Self.line(progress, bar: false) + "\n"
    }

    private func close(_ state: inout State) -> String {
        guard state.lineOpen else { return "" }
        state.lineOpen = false
        return "\n"
    }

    /// Whether two reports differ only in elapsed time (a plain line is not repeated for that alone).
    private static func sameCounts(_ a: DemoProgress, _ b: DemoProgress) -> Bool {
        var a = a
        a.elapsed = b.elapsed
        return a == b
    }

    /// One line of progress, e.g.
    /// `creating  [██████████░░░░░░░░░░░░░░]  150/300  201: 140  422: 10  errors: 0  1.2 s`, or without the bar
    /// `creating  150/300 (50%)  201: 140  422: 10  errors: 0  1.2 s`.
    public static func line(_ progress: DemoProgress, bar: Bool, width: Int = 24) -> String {
        let total = max(progress.total, 0)
        let done = min(progress.done, total)
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        var text = progress.phase.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
        if bar {
            let filled = Int((fraction * Double(width)).rounded(.down))
            text += "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "]  "
            text += "\(done)/\(total)"
        } else {
            text += "\(done)/\(total) (\(Int((fraction * 100).rounded(.down)))%)"
        }
        switch progress.phase {
        case .creating:
            text += "  201: \(progress.accepted)  422: \(progress.rejectedAsExpected)  errors: \(progress.errors)"
        case .settling:
            text += " terminal"
            for status in DemoSummary.statusOrder(progress.terminal.keys) {
                text += "  \(status): \(progress.terminal[status] ?? 0)"
            }
            text += "  errors: \(progress.errors)"
        }
        return text + "  " + DemoSummary.format(progress.elapsed)
    }
}
