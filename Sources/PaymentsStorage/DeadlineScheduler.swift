import NIOCore
import NIOPosix
import Synchronization

/// Fires operation deadlines from one repeating timer on an event loop of NIO's singleton group.
///
/// Every PostgreSQL operation has a deadline, and most finish long before it, so a deadline is an entry in a table,
/// added and removed under a lock, rather than a task and a timer per query; the one timer checks the table every
/// `resolution`, so a deadline fires up to that much late.
final class DeadlineScheduler: Sendable {
    /// The scheduler the stores share: deadlines fire within 20 ms of their time.
    static let shared = DeadlineScheduler(resolution: .milliseconds(20))

    private struct Entry {
        var deadline: NIODeadline
        var fire: @Sendable () -> Void
    }

    private struct State {
        var nextID: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var timer: RepeatedTask?
    }

    private let resolution: TimeAmount
    private let state = Mutex(State())

    init(resolution: TimeAmount) {
        self.resolution = resolution
    }

    /// Runs `fire` once `delay` has passed, unless cancelled first; returns the id to cancel with.
    func schedule(after delay: Duration, _ fire: @escaping @Sendable () -> Void) -> UInt64 {
        let deadline = NIODeadline.now() + TimeAmount(delay)
        return state.withLock { state in
            state.nextID &+= 1
            state.entries[state.nextID] = Entry(deadline: deadline, fire: fire)
            if state.timer == nil {
                // Started on first use and kept: an idle check every `resolution` costs next to nothing.
                state.timer = MultiThreadedEventLoopGroup.singleton.next().scheduleRepeatedTask(
                    initialDelay: resolution, delay: resolution
                ) { [weak self] _ in self?.fireExpired() }
            }
            return state.nextID
        }
    }

    /// Forgets a deadline that has not fired (nothing happens if it has).
    func cancel(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    private func fireExpired() {
        let now = NIODeadline.now()
        let expired = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.entries.isEmpty else { return [] }
            var fired: [@Sendable () -> Void] = []
            for (id, entry) in state.entries where entry.deadline <= now {
                fired.append(entry.fire)
                state.entries.removeValue(forKey: id)
            }
            return fired
        }
        for fire in expired { fire() }
    }
}
