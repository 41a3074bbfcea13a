import Foundation
import Synchronization

/// Runs the real code one step at a time: every call it makes to the outside world (the store, the bank) stops at
/// the scheduler, which decides when it goes on and what becomes of it, and only one task ever runs at once.
///
/// A task started with ``spawn(_:_:)`` runs until it reaches such a call (``pause(_:)``) or ends; the simulation
/// waits for that (``settle()``) before it takes the next step. That makes a run a pure function of its seed.
final class SimulationScheduler: Sendable {
    /// Which process a task belongs to, and which life of it.
    struct Caller: Sendable, Hashable {
        var instance: SimulatedInstance
        var generation: Int
    }

    /// What a stopped call is.
    enum Operation: Sendable, Hashable, CustomStringConvertible {
        case store(String, writes: Bool, subject: UUID?)
        case bankSubmit(UUID)
        case bankStatus(UUID)
        case bankReport

        var description: String {
            switch self {
            case .store(let name, _, let subject):
                "store.\(name)" + (subject.map { " \($0.uuidString.lowercased().prefix(8))" } ?? "")
            case .bankSubmit(let id): "bank.submit \(id.uuidString.lowercased().prefix(8))"
            case .bankStatus(let id): "bank.status \(id.uuidString.lowercased().prefix(8))"
            case .bankReport: "bank.settlement_report"
            }
        }

        /// The payment it is about, when it is about one.
        var subject: UUID? {
            switch self {
            case .store(_, _, let subject): subject
            case .bankSubmit(let id), .bankStatus(let id): id
            case .bankReport: nil
            }
        }

        /// Whether it goes to the bank (and so times out).
        var isBankCall: Bool {
            if case .store = self { return false }
            return true
        }
    }

    /// What becomes of a stopped call.
    enum Verdict: Sendable, Hashable {
        /// It goes through.
        case proceed
        /// It fails before it reaches the other side (a transaction that does not commit, a connection refused).
        case failBeforeArrival
        /// It reaches the other side and takes effect, but its answer is lost (a commit whose acknowledgement never
        /// arrives, a response cut off).
        case failAfterArrival
        /// Its process died while it waited; `arrived` says whether the request had left and takes effect anyway.
        case crash(arrived: Bool)
    }

    /// A call waiting for the scheduler.
    struct PendingCall: Sendable {
        var id: Int
        /// The task that made it, numbered in the order tasks were started: tasks that run side by side (a worker's
        /// jobs, started together) reach their calls in any order, so calls are listed in this one.
        var task: Int
        var caller: Caller
        var operation: Operation
        fileprivate var continuation: UnsafeContinuation<Verdict, Never>
    }

    @TaskLocal static var caller: Caller?
    @TaskLocal static var task = 0

    private struct State {
        var pending: [PendingCall] = []
        var running = 0
        var waiter: UnsafeContinuation<Void, Never>?
        var nextCallID = 0
        var nextTask = 0
        var generations: [SimulatedInstance: Int] = [:]
    }

    private let state = Mutex(State())

    /// The calls waiting, by the task that made them.
    var pending: [PendingCall] { state.withLock { $0.pending }.sorted { $0.task < $1.task } }

    /// The current life of `instance`.
    func generation(of instance: SimulatedInstance) -> Int {
        state.withLock { $0.generations[instance, default: 0] }
    }

    /// Starts `body` as a task of `instance`'s current life (or of `caller`'s, for work a task hands on).
    func spawn(_ instance: SimulatedInstance, as caller: Caller? = nil, _ body: @escaping @Sendable () async -> Void) {
        let caller = caller ?? Caller(instance: instance, generation: generation(of: instance))
        let task = state.withLock { state in
            state.running += 1
            state.nextTask += 1
            return state.nextTask
        }
        Task {
            await Self.$caller.withValue(caller) { await Self.$task.withValue(task) { await body() } }
            self.stopped()
        }
    }

    /// Called by the simulated world for every call the code makes: waits for the scheduler's verdict. A task the
    /// scheduler did not start (a detached one) passes straight through; one whose process has died learns so at
    /// once.
    func pause(_ operation: Operation) async -> Verdict {
        guard let caller = Self.caller else { return .proceed }
        let task = Self.task
        return await withUnsafeContinuation { continuation in
            let dead = state.withLock { state -> Bool in
                guard state.generations[caller.instance, default: 0] == caller.generation else { return true }
                state.pending.append(
                    PendingCall(
                        id: state.nextCallID, task: task, caller: caller, operation: operation,
                        continuation: continuation))
                state.nextCallID += 1
                return false
            }
            if dead {
                continuation.resume(returning: .crash(arrived: false))
            } else {
                stopped()
            }
        }
    }

    /// Lets a waiting call go on with `verdict`.
    func resume(_ callID: Int, _ verdict: Verdict) {
        let call = state.withLock { state -> PendingCall? in
            guard let index = state.pending.firstIndex(where: { $0.id == callID }) else { return nil }
            state.running += 1
            return state.pending.remove(at: index)
        }
        call?.continuation.resume(returning: verdict)
    }

    /// Ends `instance`'s life: its next life starts empty, and the calls its tasks were waiting on are handed back,
    /// to be told of the crash one at a time (``resumeCut(_:_:)``), so that what they still do happens in order.
    func crash(_ instance: SimulatedInstance) -> [PendingCall] {
        state.withLock { state -> [PendingCall] in
            state.generations[instance, default: 0] += 1
            let calls = state.pending.filter { $0.caller.instance == instance }.sorted { $0.task < $1.task }
            state.pending.removeAll { $0.caller.instance == instance }
            return calls
        }
    }

    /// Tells a call that ``crash(_:)`` cut what became of it.
    func resumeCut(_ call: PendingCall, _ verdict: Verdict) {
        state.withLock { $0.running += 1 }
        call.continuation.resume(returning: verdict)
    }

    /// Waits until every task has stopped at a call or ended.
    func settle() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func stopped() {
        let waiter = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.running -= 1
            guard state.running == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
