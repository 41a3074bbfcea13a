import Synchronization

/// Wakes one waiting task: a worker loop that sleeps until there is work or a deadline passes.
///
/// A signal sent while nobody waits is remembered, so a wake-up between "look for work" and "wait" is never lost.
/// A wait that ends by its timeout or by cancellation leaves nothing behind: only ``notify()`` makes the next wait
/// return at once. One waiter at a time; a second wait wakes the first.
///
/// ``notify(after:)`` books a wake-up for later (work this process put off, such as a retry): timed waits end by
/// then, however long their own timeout. ``hearsOtherProcesses`` says whether work other processes queue reaches
/// ``notify()`` too, for the waiter to choose how often to look for itself.
public final class WakeUpSignal: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var pending = false
        var waiter: Waiter?
        var nextID: UInt64 = 0
        /// Wake-ups booked with ``notify(after:)``, earliest first, until timed waits reach them.
        var booked: [ContinuousClock.Instant] = []
    }

    private let state = Mutex(State())
    private let fedFromOtherProcesses = Atomic(true)

    /// Whether ``notify()`` is called for work other processes queue too: true where every writer is this process
    /// (SQLite); on PostgreSQL, while the notification listener listens.
    public var hearsOtherProcesses: Bool {
        get { fedFromOtherProcesses.load(ordering: .relaxed) }
        set { fedFromOtherProcesses.store(newValue, ordering: .relaxed) }
    }

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

    /// Makes a timed wait (``wait(upTo:)``) end `delay` from now, if one is under way then or starts before.
    /// The earliest thousand bookings are kept; a poll finds what later ones were for.
    public func notify(after delay: Duration) {
        let instant = ContinuousClock.now.advanced(by: max(delay, .zero))
        state.withLock { state in
            let index = state.booked.firstIndex { $0 > instant } ?? state.booked.endIndex
            guard index < 1_000 else { return }
            state.booked.insert(instant, at: index)
            if state.booked.count > 1_000 { state.booked.removeLast() }
        }
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

    /// Returns after a ``notify()``, after `timeout` or a wake-up booked with ``notify(after:)``, or on
    /// cancellation, whichever comes first.
    public func wait(upTo timeout: Duration) async {
        let now = ContinuousClock.now
        // Bookings already due end this wait at once, and are spent by it.
        let next = state.withLock { state -> ContinuousClock.Instant? in
            let due = state.booked.prefix { $0 <= now }.count
            state.booked.removeFirst(due)
            return due > 0 ? now : state.booked.first
        }
        guard let next else { return await wait(upTo: timeout, clock: ContinuousClock()) }
        guard next > now else { return }
        await wait(upTo: min(timeout, now.duration(to: next)), clock: ContinuousClock())
        let after = ContinuousClock.now
        state.withLock { state in state.booked.removeFirst(state.booked.prefix { $0 <= after }.count) }
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
