import BankSandbox
import Foundation
import Logging
import PaymentsCore
import PaymentsOrchestrator
import PaymentsStorage
import PaymentsSupport
import Synchronization

/// A deterministic simulation of the whole orchestrator: the real orchestrator, job worker, reconciler and store
/// code, in a world of simulated time, a simulated bank (the sandbox's own decisions) and a seeded scheduler that
/// decides, step by step, what happens next and what goes wrong. The same seed replays the same run exactly.
///
/// After every step the payments the step touched are checked against the rules money must keep; once the steps are
/// done, faults stop, the world settles, and every payment is checked against the bank's record.
public final class Simulation {
    typealias Worker = JobWorker<SimulatedStore, SimulatedBankGateway>
    typealias Checker = Reconciler<SimulatedStore, SimulatedBankGateway>

    /// How the simulated deployment is set up: short windows, so that a run visits expiries and retries often.
    static let lease: Duration = .seconds(30)
    static let bankTimeout: TimeInterval = 10
    /// Every PostgreSQL operation has a 2 s deadline.
    static let storeTimeout: TimeInterval = 2
    static let workerConfiguration = JobWorkerConfiguration(
        concurrency: 3, lease: lease,
        submitRetry: RetryPolicy(base: .milliseconds(250), cap: .seconds(5), window: .seconds(90)),
        erpRetry: RetryPolicy(base: .seconds(1), cap: .seconds(10), window: .seconds(60))
    )
    static let reconcilerConfiguration = ReconcilerConfiguration(
        interval: .seconds(30), stuckAfter: .seconds(60), returnWindow: .seconds(86_400), batchSize: 50,
        maxCallsPerSecond: 1_000, reportPagesPerRun: 5, reportOverlap: .seconds(10)
    )
    static let clients = ["acme", "globex", "initech"]

    private let configuration: SimulationConfiguration
    private var faults: FaultProfile
    private var random: SeededRandomNumberGenerator
    private let clock: SimulationClock
    private let scheduler = SimulationScheduler()
    private let ledger = SimulationLedger()
    private let database: any PaymentStore
    private let store: SimulatedStore
    private let bank: SandboxBank
    private let gateway: SimulatedBankGateway
    private let outbox: Locked<[SandboxBank.Webhook]>
    private let answers = Locked<[(request: Int, attempt: ClientAttempt, answer: ClientAnswer)]>([])
    private let busy = Locked<[SimulationScheduler.Caller: Int]>([:])
    private let logger = Logger(label: "simulation", factory: { _ in SwiftLogNoOpLogHandler() })

    private var orchestrator: PaymentOrchestrator<SimulatedStore>
    private var workers: [Worker] = []
    private var reconciler: Checker
    private var requests: [ClientRequest] = []
    private var invariants = PaymentInvariants()
    private var deadlines: [Int: Date] = [:]
    private var trace = TraceLog(capacity: 20_000)
    private var crashes = 0
    private var step = 0
    private var violation: SimulationViolation?
    private let ids: SimulatedIDs

    /// Sets up a world for `configuration`; ids, the bank's decisions and the scheduler's all follow from its seed.
    public init(_ configuration: SimulationConfiguration) async throws {
        self.configuration = configuration
        faults = configuration.faults
        random = SeededRandomNumberGenerator(seed: configuration.seed)
        ids = SimulatedIDs(seed: configuration.seed &+ 1)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        clock = SimulationClock(start: start)
        let ring = DataKeyRing(
            keys: [(id: "sim", bytes: [UInt8](repeating: 7, count: 32))], indexKey: [UInt8](repeating: 9, count: 32))
        let database = try SQLitePaymentStore(path: ":memory:", ring: ring)
        try await database.migrate()
        self.database = database
        store = SimulatedStore(
            inner: database, scheduler: scheduler, ledger: ledger, mutation: configuration.mutation)
        bank = SandboxBank(
            faults: configuration.faults.bank, processingDelay: .seconds(1), settlementDelay: .seconds(3),
            start: start, seed: configuration.seed &+ 2)
        let outbox = Locked<[SandboxBank.Webhook]>([])
        self.outbox = outbox
        gateway = SimulatedBankGateway(
            bank: bank, scheduler: scheduler, ledger: ledger, mutation: configuration.mutation,
            post: { webhooks in outbox.withLock { $0.append(contentsOf: webhooks) } })
        orchestrator = Self.makeOrchestrator(store: store, clock: clock, logger: logger)
        reconciler = Self.makeReconciler(store: store, bank: gateway, clock: clock, logger: logger)
        workers = (0..<configuration.workers).map { _ in makeWorker() }
    }

    private func makeWorker() -> Worker {
        let clock = clock
        let draws = Locked(SeededRandomNumberGenerator(seed: random.next()))
        return JobWorker(
            store: store, bank: gateway, erp: UnconfiguredERPGateway(), signal: WakeUpSignal(),
            configuration: Self.workerConfiguration, logger: logger, now: { clock.now },
            random: { draws.withLock { $0.next() } })
    }

    private static func makeReconciler(
        store: SimulatedStore, bank: SimulatedBankGateway, clock: SimulationClock, logger: Logger
    ) -> Checker {
        Reconciler(
            store: store, bank: bank, configuration: reconcilerConfiguration, logger: logger, now: { clock.now },
            sleep: { _ in })
    }

    private static func makeOrchestrator(
        store: SimulatedStore, clock: SimulationClock, logger: Logger
    ) -> PaymentOrchestrator<SimulatedStore> {
        PaymentOrchestrator(store: store, signal: WakeUpSignal(), logger: logger, now: { clock.now })
    }

    /// Runs the steps, then settles the world, checking the rules all along; stops at the first broken one.
    public func run() async throws -> SimulationReport {
        // Every task the run starts inherits its ids.
        try await SecureRandom.$simulatedIDs.withValue(ids) { try await runSeeded() }
    }

    private func runSeeded() async throws -> SimulationReport {
        let started = ContinuousClock.now
        while step < configuration.steps, violation == nil {
            step += 1
            try await takeStep()
            try await check(ledger.takeTouched(), final: false)
            if violation == nil, step % 10_000 == 0 { try await check(ledger.allStored, final: false) }
        }
        if violation == nil { try await settleWithoutFaults() }
        var statuses: [String: Int] = [:]
        for id in ledger.allStored {
            if let payment = try await database.payment(id: id) { statuses[payment.status.rawValue, default: 0] += 1 }
        }
        var faultCounts = ledger.faults
        let stats = await bank.stats()
        faultCounts["bank ambiguous accept"] = stats.ambiguousAccepts
        faultCounts["bank late return"] = stats.lateReturns
        faultCounts["webhook dropped by bank"] = stats.webhooksDropped
        return SimulationReport(
            seed: configuration.seed, steps: configuration.steps, stepsTaken: step, faults: configuration.faults.name,
            mutation: configuration.mutation, violation: violation, payments: ledger.allStored.count,
            statuses: statuses, faultCounts: faultCounts.filter { $0.value > 0 }, crashes: crashes,
            seconds: (ContinuousClock.now - started).timeInterval
        )
    }

    // MARK: Steps

    private func takeStep() async throws {
        try await advanceClock(by: Double(random.next() % 300) / 1000)
        if chance(faults.crash) {
            let instances =
                [SimulatedInstance.api, .reconciler] + (0..<workers.count).map { SimulatedInstance.worker($0) }
            await crash(instances[pick(instances.count)])
        } else if chance(faults.clockJump) {
            let seconds = Double(60 + random.next() % 540)
            record("clock jumps \(Int(seconds)) s")
            try await advanceClock(by: seconds)
        } else {
            try await takeAction()
        }
        await settle()
    }

    private func takeAction() async throws {
        let pending = scheduler.pending
        let now = clock.now
        let dueWebhooks = outbox.withLock { $0.contains { $0.due <= now } }
        var choices: [(weight: Int, action: Action)] = [
            (10, .poll), (2, .reconcile), (4, .wait),
        ]
        if !pending.isEmpty { choices.append((45, .resume)) }
        if dueWebhooks { choices.append((10, .deliver)) }
        if invariants.openCount < configuration.maximumOpenPayments { choices.append((12, .create)) }
        var roll = pick(choices.reduce(0) { $0 + $1.weight })
        let action = choices.first { choice in
            roll -= choice.weight
            return roll < 0
        }!.action
        switch action {
        case .resume: resume(pending[pick(pending.count)])
        case .create: create()
        case .poll: poll(worker: pick(workers.count))
        case .deliver: deliverWebhook()
        case .reconcile: reconcile()
        case .wait: try await advanceClock(by: Double(1 + random.next() % 20))
        }
    }

    private enum Action {
        case resume, create, poll, deliver, reconcile, wait
    }

    /// Lets a waiting call go on, or fails it, as the fault profile says.
    private func resume(_ call: SimulationScheduler.PendingCall, verdict chosen: SimulationScheduler.Verdict? = nil) {
        var verdict = chosen ?? .proceed
        if chosen == nil {
            switch call.operation {
            case .store(_, let writes, _):
                if chance(faults.storeFailure) {
                    verdict = .failBeforeArrival
                } else if writes && chance(faults.storeLostAcknowledgement) {
                    verdict = .failAfterArrival
                }
            case .bankSubmit, .bankStatus, .bankReport:
                if chance(faults.bankUnreachable) {
                    verdict = .failBeforeArrival
                } else if chance(faults.bankLostAnswer) {
                    verdict = .failAfterArrival
                }
            }
        }
        deadlines[call.id] = nil
        let outcome =
            switch verdict {
            case .proceed: ""
            case .failBeforeArrival: " (fails before it arrives)"
            case .failAfterArrival: " (arrives; its answer is lost)"
            case .crash: " (crashed)"
            }
        record("\(call.caller.instance) \(call.operation)\(outcome)", about: call.operation.subject)
        scheduler.resume(call.id, verdict)
    }

    /// A client asks for a payment: a new request, the same one again, or its key with another amount.
    private func create() {
        let roll = pick(100)
        let index: Int
        var attempt = ClientAttempt.first
        if roll < 15, !requests.isEmpty {
            index = requests.count - 1 - pick(min(requests.count, 50))
            attempt = .retry
        } else if roll < 18, let last = requests.indices.last, requests[last].key != nil,
            let known = requests[last].paymentID
        {
            index = last
            attempt = .conflicting(knownPayment: known)
        } else {
            index = requests.count
            let client = Self.clients[pick(Self.clients.count)]
            requests.append(
                ClientRequest(
                    clientID: client, clientRef: "INV-\(index)", key: chance(0.8) ? "key-\(index)" : nil,
                    amount: Int64(1 + pick(1_000_000)), paymentID: nil))
        }
        let request = requests[index]
        var body = PaymentRequest(
            amount: Money(minorUnits: request.amount, currency: .usd), clientRef: request.clientRef,
            recipient: .bankAccount(
                name: "Payee \(index)", accountNumber: "\(100_000_000 + index)",
                routingNumber: RoutingNumber("021000021")!),
            description: nil)
        if case .conflicting = attempt { body.amount = Money(minorUnits: request.amount + 1, currency: .usd) }
        record("client \(request.clientID) asks for \(request.clientRef) (\(attempt))")
        let orchestrator = orchestrator
        let answers = answers
        let sent = body
        let kind = attempt
        scheduler.spawn(.api) {
            let answer: ClientAnswer
            do {
                switch try await orchestrator.create(
                    sent, clientID: request.clientID, idempotencyKey: request.key, traceParent: nil)
                {
                case .created(let payment): answer = .created(payment.id)
                case .replayed(let payment): answer = .replayed(payment.id)
                case .conflict: answer = .conflict
                }
            } catch {
                answer = .failed
            }
            answers.withLock { $0.append((index, kind, answer)) }
        }
    }

    /// A worker looks for jobs, if it has free slots and is not already looking.
    private func poll(worker number: Int) {
        let caller = SimulationScheduler.Caller(
            instance: .worker(number), generation: scheduler.generation(of: .worker(number)))
        let free = busy.withLock { busy -> Int in
            let free = Self.workerConfiguration.concurrency - busy[caller, default: 0]
            guard free > 0 else { return 0 }
            busy[caller, default: 0] += free
            return free
        }
        guard free > 0 else { return }
        let worker = workers[number]
        let scheduler = scheduler
        let busy = busy
        scheduler.spawn(.worker(number)) {
            let claimed = (try? await worker.claim(limit: free)) ?? []
            busy.withLock { $0[caller, default: 0] -= free - claimed.count }
            for claim in claimed {
                scheduler.spawn(.worker(number), as: caller) {
                    await worker.run(claim)
                    busy.withLock { $0[caller, default: 0] -= 1 }
                }
            }
        }
    }

    /// The reconciler runs, unless it already is.
    private func reconcile() {
        let caller = SimulationScheduler.Caller(
            instance: .reconciler, generation: scheduler.generation(of: .reconciler))
        guard busy.withLock({ $0[caller, default: 0] }) == 0 else { return }
        busy.withLock { $0[caller] = 1 }
        let reconciler = reconciler
        let busy = busy
        record("reconciler runs")
        scheduler.spawn(.reconciler) {
            await reconciler.reconcileOnce()
            busy.withLock { $0[caller] = 0 }
        }
    }

    /// The bank's next due webhook arrives (any of them: the network reorders), is lost, or comes again later.
    private func deliverWebhook() {
        let now = clock.now
        let due = outbox.withLock { outbox in outbox.indices.filter { outbox[$0].due <= now } }
        guard !due.isEmpty else { return }
        let index = due[pick(due.count)]
        let webhook = outbox.withLock { outbox -> SandboxBank.Webhook in
            let webhook = outbox[index]
            if webhook.copies > 1 { outbox[index].copies -= 1 } else { outbox.remove(at: index) }
            return webhook
        }
        guard case .success(let event)? = (try? JSONValue(parsing: webhook.body)).map(WebhookEvent.parse) else {
            return ledger.violation("the bank sent a webhook the receiver cannot parse", about: nil)
        }
        if chance(faults.webhookLoss) {
            ledger.fault("webhook lost")
            return record("webhook \(event.status.rawValue) lost on the way", about: event.paymentID)
        }
        if chance(faults.webhookRedelivery) {
            ledger.fault("webhook redelivered")
            var again = webhook
            again.copies = 1
            again.due = now.addingTimeInterval(Double(1 + pick(30)))
            outbox.withLock { $0.append(again) }
        }
        record("webhook \(event.status.rawValue) \(event.eventID.suffix(6)) arrives", about: event.paymentID)
        let orchestrator = orchestrator
        scheduler.spawn(.api) { _ = try? await orchestrator.receive(event) }
    }

    /// A process dies: what it held in memory is gone, its waiting calls are cut (those already sent may still take
    /// effect), and it starts again empty.
    private func crash(_ instance: SimulatedInstance) async {
        crashes += 1
        let cut = scheduler.crash(instance)
        record("CRASH \(instance) (\(cut.count) calls cut)")
        for call in cut {
            deadlines[call.id] = nil
            scheduler.resumeCut(call, .crash(arrived: chance(0.5)))
            await settle()
        }
        switch instance {
        case .api: orchestrator = Self.makeOrchestrator(store: store, clock: clock, logger: logger)
        case .worker(let number): workers[number] = makeWorker()
        case .reconciler: reconciler = Self.makeReconciler(store: store, bank: gateway, clock: clock, logger: logger)
        }
    }

    /// Moves time on; a call still waiting when its timeout passes (the bank client's 10 s, the store's 2 s) ends as
    /// a timeout first: the request either never arrived, or arrived and its answer was lost.
    private func advanceClock(by seconds: Double) async throws {
        let until = clock.now.addingTimeInterval(seconds)
        while true {
            let overdue = scheduler.pending.filter { call in deadlines[call.id].map { $0 <= until } ?? false }
            guard let call = overdue.min(by: { (deadlines[$0.id]!, $0.task) < (deadlines[$1.id]!, $1.task) }) else {
                break
            }
            ledger.fault(call.operation.isBankCall ? "bank timeout" : "store timeout")
            resume(call, verdict: chance(0.5) ? .failBeforeArrival : .failAfterArrival)
            await settle()
        }
        clock.advance(by: seconds)
        bank.clock.advance(by: .timeInterval(seconds))
    }

    /// Waits for every task to stop, then takes in what happened: client answers, new bank calls' deadlines, and any
    /// rule the store or the ledger saw broken.
    private func settle() async {
        await scheduler.settle()
        for call in scheduler.pending where deadlines[call.id] == nil {
            deadlines[call.id] = clock.now.addingTimeInterval(
                call.operation.isBankCall ? Self.bankTimeout : Self.storeTimeout)
        }
        let answered = answers.withLock { answers in
            defer { answers.removeAll() }
            return answers
        }
        for (index, attempt, answer) in answered {
            record("client \(requests[index].clientRef) is answered \(answer)", about: answer.paymentID)
            if let broken = requests[index].take(answer, to: attempt) { fail(broken, about: answer.paymentID) }
        }
        for broken in ledger.takeViolations() { fail(broken.rule, about: broken.paymentID) }
    }

    // MARK: The end of a run

    /// Faults stop; the world runs until every payment is final and agrees with the bank, or long enough that one
    /// that has not is stuck.
    private func settleWithoutFaults() async throws {
        faults = .none
        await bank.setFaults(.none)
        for _ in 0..<40 where violation == nil {
            try await drain()
            reconcile()
            await settle()
            try await drain()
            try await check(ledger.takeTouched(), final: false)
            if try await invariants.allSettled(ledger.allStored, store: database, bank: bank) { break }
            step += 1
            record("time passes (settling)")
            try await advanceClock(by: 120)
        }
        if violation == nil { try await check(ledger.allStored, final: true) }
    }

    /// Runs everything waiting to run: calls, due webhooks, due jobs.
    private func drain() async throws {
        while violation == nil {
            if let call = scheduler.pending.first {
                resume(call)
            } else if outbox.withLock({ [now = clock.now] in $0.contains { $0.due <= now } }) {
                deliverWebhook()
            } else {
                let before = ledger.claims
                for number in workers.indices { poll(worker: number) }
                await settle()
                while let call = scheduler.pending.first(where: {
                    $0.operation == .store("claimJobs", writes: true, subject: nil)
                }) {
                    resume(call)
                    await settle()
                }
                if scheduler.pending.isEmpty && before == ledger.claims { return }
                continue
            }
            await settle()
        }
    }

    // MARK: Checks

    private func check(_ ids: [UUID], final: Bool) async throws {
        for id in ids where violation == nil {
            let bankStatus = await bank.status(of: id.uuidString.lowercased())
            if let broken = try await invariants.check(id, store: database, bankStatus: bankStatus, final: final) {
                fail(broken, about: id)
            }
        }
    }

    private func fail(_ rule: String, about paymentID: UUID?) {
        guard violation == nil else { return }
        violation = SimulationViolation(step: step, rule: rule, trace: trace.lines(about: paymentID))
    }

    // MARK: Randomness and the trace

    private func chance(_ rate: Double) -> Bool {
        rate > 0 && Double(random.next() >> 11) * 0x1p-53 < rate
    }

    private func pick(_ count: Int) -> Int {
        Int(random.next() % UInt64(count))
    }

    private func record(_ text: String, about paymentID: UUID? = nil) {
        trace.append(step: step, time: clock.now, text: text, about: paymentID)
    }
}
