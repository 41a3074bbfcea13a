import Synchronization

/// Wakes the job dispatcher when work was queued in this process, so a new payment is submitted at once instead of
/// at the next poll. Work queued by other processes is still found by polling.
public final class JobSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Creates a signal.
    public init() {}

    /// Wakes the waiter, or the next call to ``wait(upTo:)`` if nobody waits now.
    public func notify() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns after a ``notify()``, after `timeout`, or on cancellation, whichever comes first. One waiter at a time.
    public func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only a timeout wakes the waiter. Cancelled (the wait ended another way), it must not notify: that
                // left a stale `pending` behind, so every later wait returned at once and its cancelled timer set
                // `pending` again; the workers then spun, claiming or checking their capacity without pause.
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return
                }
                self.notify()
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                self.notify()
            }
            group.cancelAll()
        }
    }
}
