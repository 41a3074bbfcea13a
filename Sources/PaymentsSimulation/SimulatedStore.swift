import Foundation
import PaymentsCore
import PaymentsSupport

/// The store as the simulated processes see it: every call stops at the scheduler, which lets it through, fails its
/// transaction before it commits, or loses the acknowledgement of one that did; the store itself (the in-memory
/// database under it) survives every crash. It also tells the ledger what each call touched.
final class SimulatedStore: PaymentStore {
    /// The store under the simulation: read directly by the invariant checks, never through the scheduler.
    let inner: any PaymentStore
    private let scheduler: SimulationScheduler
    private let ledger: SimulationLedger
    private let mutation: SimulationMutation?

    init(
        inner: any PaymentStore, scheduler: SimulationScheduler, ledger: SimulationLedger, mutation: SimulationMutation?
    ) {
        self.inner = inner
        self.scheduler = scheduler
        self.ledger = ledger
        self.mutation = mutation
    }

    /// Runs one call of the store through the scheduler.
    private func call<T: Sendable>(
        _ name: String, writes: Bool = true, about subject: UUID? = nil, _ body: () async throws -> T
    ) async throws -> T {
        switch await scheduler.pause(.store(name, writes: writes, subject: subject)) {
        case .proceed:
            return try await body()
        case .failBeforeArrival:
            ledger.fault("store transaction failed")
            throw StoreError.unavailable("simulated: the transaction failed before it committed")
        case .failAfterArrival:
            ledger.fault("store commit unacknowledged")
            _ = try await body()
            throw StoreError.unavailable("simulated: the connection was lost after the commit")
        case .crash(let arrived):
            if arrived && writes { _ = try? await body() }
            throw SimulatedCrash()
        }
    }

    func migrate() async throws { try await inner.migrate() }
    func checkReady() async throws { try await inner.checkReady() }

    func create(_ payment: NewPayment) async throws -> PaymentCreation {
        try await call("create", about: payment.id) {
            let creation = try await inner.create(payment)
            if case .created(let stored) = creation { ledger.stored(stored.id) }
            return creation
        }
    }

    func payment(id: UUID) async throws -> Payment? {
        try await call("payment", writes: false, about: id) { try await inner.payment(id: id) }
    }

    func payments(_ query: PaymentQuery) async throws -> PaymentPage {
        try await call("payments", writes: false) { try await inner.payments(query) }
    }

    func recordWebhook(_ event: WebhookEvent, receivedAt: Date) async throws -> WebhookRecording {
        ledger.touch(event.paymentID)
        var event = event
        // The deliberate bug: every delivery looks new.
        if mutation == .forgetWebhookEventIDs { event.eventID += "/\(SecureRandom.uuid().lowercased)" }
        return try await call("recordWebhook", about: event.paymentID) {
            try await inner.recordWebhook(event, receivedAt: receivedAt)
        }
    }

    func apply(_ event: PaymentEvent, to paymentID: UUID, now: Date) async throws -> EventOutcome? {
        ledger.touch(paymentID)
        return try await call("apply", about: paymentID) { try await inner.apply(event, to: paymentID, now: now) }
    }

    func claimJob(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> Job? {
        try await claimJobs(kinds: kinds, now: now, lease: lease, limit: 1).first?.job
    }

    func claimJobWithPayment(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> ClaimedJob? {
        try await claimJobs(kinds: kinds, now: now, lease: lease, limit: 1).first
    }

    func claimJobs(kinds: Set<JobKind>, now: Date, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        try await call("claimJobs") {
            let claimed = try await inner.claimJobs(kinds: kinds, now: now, lease: lease, limit: limit)
            ledger.claimed(claimed.map(\.job), now: now, lease: lease)
            for claim in claimed { ledger.touch(claim.job.paymentID) }
            return claimed
        }
    }

    func finish(_ job: Job, result: JobResult, event: PaymentEvent?, now: Date) async throws -> EventOutcome? {
        ledger.touch(job.paymentID)
        if mutation == .finishInTwoWrites, let event {
            // The deliberate bug: the job's end and its payment's change in two transactions.
            _ = try await finish(job, result: result, event: nil, now: now)
            return try await apply(event, to: job.paymentID, now: now)
        }
        return try await call("finish", about: job.paymentID) {
            let outcome = try await inner.finish(job, result: result, event: event, now: now)
            ledger.concluded(job, as: "finished")
            return outcome
        }
    }

    func reschedule(_ job: Job, runAt: Date, error: String, refundAttempt: Bool, now: Date) async throws {
        ledger.touch(job.paymentID)
        try await call("reschedule", about: job.paymentID) {
            try await inner.reschedule(job, runAt: runAt, error: error, refundAttempt: refundAttempt, now: now)
            ledger.concluded(job, as: "rescheduled")
        }
    }

    func queueStats(now: Date) async throws -> [JobKind: JobQueueStats] {
        try await call("queueStats", writes: false) { try await inner.queueStats(now: now) }
    }

    func deleteFinishedJobs(finishedBefore: Date, limit: Int) async throws -> Int {
        try await call("deleteFinishedJobs") {
            try await inner.deleteFinishedJobs(finishedBefore: finishedBefore, limit: limit)
        }
    }

    func reconciliationCandidates(now: Date, stuckBefore: Date, returnWindowStart: Date, limit: Int) async throws
        -> [Payment]
    {
        try await call("reconciliationCandidates", writes: false) {
            try await inner.reconciliationCandidates(
                now: now, stuckBefore: stuckBefore, returnWindowStart: returnWindowStart, limit: limit)
        }
    }

    func scheduleReconciliation(_ nextCheck: [UUID: Date]) async throws {
        try await call("scheduleReconciliation") { try await inner.scheduleReconciliation(nextCheck) }
    }

    func payments(ids: [UUID]) async throws -> [Payment] {
        try await call("paymentsByID", writes: false) { try await inner.payments(ids: ids) }
    }

    func reconciliationBacklog(stuckBefore: Date, now: Date) async throws -> ReconciliationBacklog {
        try await call("reconciliationBacklog", writes: false) {
            try await inner.reconciliationBacklog(stuckBefore: stuckBefore, now: now)
        }
    }

    func claimReconciliationRun(_ name: String, now: Date, lease: Duration) async throws -> ReconciliationRun? {
        try await call("claimReconciliationRun") {
            try await inner.claimReconciliationRun(name, now: now, lease: lease)
        }
    }

    func finishReconciliationRun(_ name: String, watermark: Date?) async throws {
        try await call("finishReconciliationRun") {
            try await inner.finishReconciliationRun(name, watermark: watermark)
        }
    }

    func jobs(ofPayment paymentID: UUID) async throws -> [JobRecord] {
        try await call("jobs", writes: false) { try await inner.jobs(ofPayment: paymentID) }
    }

    func deadLetteredJobs(kind: JobKind?, limit: Int) async throws -> [JobRecord] {
        try await call("deadLetteredJobs", writes: false) { try await inner.deadLetteredJobs(kind: kind, limit: limit) }
    }

    func resealBatch(limit: Int) async throws -> Int {
        try await call("resealBatch") { try await inner.resealBatch(limit: limit) }
    }

    func sealedValueCounts() async throws -> [String: Int] {
        try await call("sealedValueCounts", writes: false) { try await inner.sealedValueCounts() }
    }

    func destroyAccountNumbers(settledBefore: Date, limit: Int) async throws -> Int {
        try await call("destroyAccountNumbers") {
            try await inner.destroyAccountNumbers(settledBefore: settledBefore, limit: limit)
        }
    }

    func paymentsToSameAccount(as paymentID: UUID, limit: Int) async throws -> [Payment] {
        try await call("paymentsToSameAccount", writes: false) {
            try await inner.paymentsToSameAccount(as: paymentID, limit: limit)
        }
    }

    func requeueDeadLetteredJobs(_ ids: [UUID], now: Date) async throws -> Int {
        try await call("requeueDeadLetteredJobs") { try await inner.requeueDeadLetteredJobs(ids, now: now) }
    }

    // MARK: Notifications (the simulation runs no deliverer; these pass through the scheduler all the same)

    func createEndpoint(_ endpoint: WebhookEndpoint, secret: String, limit: Int) async throws -> Bool {
        try await call("createEndpoint") { try await inner.createEndpoint(endpoint, secret: secret, limit: limit) }
    }

    func endpoints(clientID: String) async throws -> [WebhookEndpoint] {
        try await call("endpoints", writes: false) { try await inner.endpoints(clientID: clientID) }
    }

    func endpoint(id: UUID, clientID: String) async throws -> WebhookEndpoint? {
        try await call("endpoint", writes: false) { try await inner.endpoint(id: id, clientID: clientID) }
    }

    func deleteEndpoint(id: UUID, clientID: String) async throws -> Bool {
        try await call("deleteEndpoint") { try await inner.deleteEndpoint(id: id, clientID: clientID) }
    }

    func rotateSecret(id: UUID, clientID: String, secret: String, previousUntil: Date, now: Date) async throws
        -> WebhookEndpoint?
    {
        try await call("rotateSecret") {
            try await inner.rotateSecret(
                id: id, clientID: clientID, secret: secret, previousUntil: previousUntil, now: now)
        }
    }

    func events(_ query: EventQuery) async throws -> EventPage {
        try await call("events", writes: false) { try await inner.events(query) }
    }

    func event(id: UUID, clientID: String) async throws -> (event: ClientEvent, attempts: [DeliveryAttempt])? {
        try await call("event", writes: false) {
            try await inner.event(id: id, clientID: clientID).map {
                EventWithAttempts(event: $0.event, attempts: $0.attempts)
            }
        }.map { ($0.event, $0.attempts) }
    }

    func redeliver(eventID: UUID, clientID: String, now: Date) async throws -> Int? {
        try await call("redeliver") { try await inner.redeliver(eventID: eventID, clientID: clientID, now: now) }
    }

    func claimDelivery(now: Date, lease: Duration, busy: Set<UUID>) async throws -> ClaimedDelivery? {
        try await call("claimDelivery") { try await inner.claimDelivery(now: now, lease: lease, busy: busy) }
    }

    func finishDelivery(
        _ delivery: ClaimedDelivery, attempt: DeliveryAttempt, next: DeliveryNext, disableIfFailingSince: Date,
        now: Date
    ) async throws -> DeliveryFinish {
        try await call("finishDelivery") {
            try await inner.finishDelivery(
                delivery, attempt: attempt, next: next, disableIfFailingSince: disableIfFailingSince, now: now)
        }
    }

    func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        try await call("deliveryBacklog", writes: false) { try await inner.deliveryBacklog(now: now) }
    }

    func deleteEvents(createdBefore: Date, limit: Int) async throws -> Int {
        try await call("deleteEvents") { try await inner.deleteEvents(createdBefore: createdBefore, limit: limit) }
    }
}

/// An event and its delivery attempts, as one `Sendable` value (a tuple is not one).
private struct EventWithAttempts: Sendable {
    var event: ClientEvent
    var attempts: [DeliveryAttempt]
}

/// The error a simulated process sees once it has crashed: nothing it does from then on reaches the world.
struct SimulatedCrash: Error, CustomStringConvertible {
    var description: String { "simulated crash" }
}
