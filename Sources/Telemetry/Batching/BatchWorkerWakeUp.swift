import Synchronization

/// Wakes the batch worker when a batch fills or shutdown begins. A signal sent while nobody waits is remembered,
/// so a wake-up between "check the queue" and "wait" is never lost. One allocation-free lock per signal, and the
/// span path signals only when a batch fills, never per span.
final class BatchWorkerWakeUp: Sendable {
    private struct State {
        var isPending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or marks the signal pending for the next wait.
    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.isPending = true
            return nil
        }
        waiter?.resume()
    }

    /// Forgets a pending signal that has already been acted on.
    func clearPending() {
        state.withLock { $0.isPending = false }
    }

    /// Returns when signalled (at once if a signal is pending) or when the task is cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.isPending || Task.isCancelled {
                        state.isPending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
