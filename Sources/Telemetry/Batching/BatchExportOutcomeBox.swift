import Synchronization

/// How waiting on an export ended.
enum BatchExportOutcome: Sendable, Equatable {
    case succeeded
    case failed
    case timedOut
    /// Graceful shutdown began or the waiting task was cancelled; the export itself keeps running.
    case interrupted
}

/// A value set once by whichever of several racers comes first (the export, its timer, shutdown, cancellation)
/// and awaited by one task. Racing through this, rather than a task group, lets the waiter walk away from an
/// export that ignores cancellation, which is what bounds shutdown when a collector hangs.
final class BatchExportOutcomeBox: Sendable {
    private struct State {
        var outcome: BatchExportOutcome?
        var continuation: CheckedContinuation<BatchExportOutcome, Never>?
    }

    private let state = Mutex(State())

    /// Sets the outcome if none is set yet; later calls are ignored.
    func resolve(_ outcome: BatchExportOutcome) {
        let continuation: CheckedContinuation<BatchExportOutcome, Never>? = state.withLock { state in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: outcome)
    }

    /// Waits for the outcome; at most one task may wait.
    func value() async -> BatchExportOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<BatchExportOutcome, Never>) in
            let ready: BatchExportOutcome? = state.withLock { state in
                if let outcome = state.outcome { return outcome }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
