import Synchronization

/// Wakes one waiting task: a worker loop that sleeps until there is work or a deadline passes.
///
/// A signal sent while nobody waits is remembered, so a wake-up between "look for work" and "wait" is never lost.
/// A wait that ends by its timeout or by cancellation leaves nothing behind: only ``notify()`` makes the next wait
/// return at once. One waiter at a time; a second wait wakes the first.
public final class WakeUpSignal: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var pending = false
        var waiter: Waiter?
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal with nothing pending.
    public init() {}

    /// Wakes the waiter, or the next wait if nobody waits now.
    public func notify() {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume()
    }

    /// Forgets a pending signal whose work has already been picked up.
    public func clearPending() {
        state.withLock { $0.pending = false }
    }

    /// Returns after a ``notify()`` (at once if one is pending) or when the task is cancelled.
    public func wait() async {
        let id = state.withLock { state in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    let previous = state.waiter
                    state.waiter = Waiter(id: id, continuation: continuation)
                    previous?.continuation.resume()
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.release(id)
        }
    }

    /// Returns after a ``notify()``, after `timeout` on `clock`, or on cancellation, whichever comes first.
    public func wait<C: Clock>(upTo timeout: C.Duration, clock: C) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await clock.sleep(for: timeout)
            }
            group.addTask {
                await self.wait()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns after a ``notify()``, after `timeout`, or on cancellation, whichever comes first.
    public func wait(upTo timeout: Duration) async {
        await wait(upTo: timeout, clock: ContinuousClock())
    }

    /// Resumes the waiter `id`, if it is still the one waiting, without leaving a signal pending.
    private func release(_ id: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume()
    }
}
