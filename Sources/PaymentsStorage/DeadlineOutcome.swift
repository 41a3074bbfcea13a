import Synchronization

/// The first of several racers (the work, the deadline, the caller's cancellation) to finish resumes the waiting
/// caller; the others are ignored.
final class DeadlineOutcome<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<Value, any Error>, Never>?
        var early: Result<Value, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<Result<Value, any Error>, Never>) {
        let early = state.withLock { state -> Result<Value, any Error>? in
            if let early = state.early {
                state.done = true
                return early
            }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resolve(_ result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<Value, any Error>, Never>? in
            guard !state.done else { return nil }
            guard let continuation = state.continuation else {
                // Cancelled before the continuation was installed: remember the first result.
                if state.early == nil { state.early = result }
                return nil
            }
            state.done = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: result)
    }
}
