import Foundation
import PaymentsCore
import Synchronization

/// Wraps a real store and, when switched off, fails every call as an unreachable database would. Used only to prove
/// how the HTTP edge answers when storage is down; the stores themselves are tested against real databases.
final class SwitchableStore<Base: PaymentStore>: PaymentStore {
    let base: Base
    private let available = Mutex(true)

    init(_ base: Base) {
        self.base = base
    }

    func setAvailable(_ value: Bool) { available.withLock { $0 = value } }

    private func check() throws {
        guard available.withLock({ $0 }) else { throw StoreError.unavailable("switched off by the test") }
    }

    func migrate() async throws {
        try check()
        try await base.migrate()
    }
    func checkReady() async throws {
        try check()
        try await base.checkReady()
    }
    func create(_ payment: NewPayment) async throws -> PaymentCreation {
        try check()
        return try await base.create(payment)
    }
    func payment(id: UUID) async throws -> Payment? {
        try check()
        return try await base.payment(id: id)
    }
    func payments(_ query: PaymentQuery) async throws -> PaymentPage {
        try check()
        return try await base.payments(query)
    }
    func recordWebhook(_ event: WebhookEvent, receivedAt: Date) async throws -> WebhookRecording {
        try check()
        return try await base.recordWebhook(event, receivedAt: receivedAt)
    }
    func apply(_ event: PaymentEvent, to paymentID: UUID, now: Date) async throws -> EventOutcome? {
        try check()
        return try await base.apply(event, to: paymentID, now: now)
    }
    func claimJob(kinds: Set<JobKind>, now: Date, lease: Duration) async throws -> Job? {
        try check()
        return try await base.claimJob(kinds: kinds, now: now, lease: lease)
    }
    func finish(_ job: Job, result: JobResult, event: PaymentEvent?, now: Date) async throws -> EventOutcome? {
        try check()
        return try await base.finish(job, result: result, event: event, now: now)
    }
    func reschedule(_ job: Job, runAt: Date, error: String, refundAttempt: Bool, now: Date) async throws {
        try check()
        try await base.reschedule(job, runAt: runAt, error: error, refundAttempt: refundAttempt, now: now)
    }
    func queueStats(now: Date) async throws -> [JobKind: JobQueueStats] {
        try check()
        return try await base.queueStats(now: now)
    }

    func deleteFinishedJobs(finishedBefore: Date, limit: Int) async throws -> Int {
        try check()
        return try await base.deleteFinishedJobs(finishedBefore: finishedBefore, limit: limit)
    }
    func reconciliationCandidates(now: Date, stuckBefore: Date, returnWindowStart: Date, limit: Int) async throws
        -> [Payment]
    {
        try check()
        return try await base.reconciliationCandidates(
            now: now, stuckBefore: stuckBefore, returnWindowStart: returnWindowStart, limit: limit)
    }
    func scheduleReconciliation(_ nextCheck: [UUID: Date]) async throws {
        try check()
        try await base.scheduleReconciliation(nextCheck)
    }
    func payments(ids: [UUID]) async throws -> [Payment] {
        try check()
        return try await base.payments(ids: ids)
    }
    func reconciliationBacklog(stuckBefore: Date, now: Date) async throws -> ReconciliationBacklog {
        try check()
        return try await base.reconciliationBacklog(stuckBefore: stuckBefore, now: now)
    }
    func claimReconciliationRun(_ name: String, now: Date, lease: Duration) async throws -> ReconciliationRun? {
        try check()
        return try await base.claimReconciliationRun(name, now: now, lease: lease)
    }
    func finishReconciliationRun(_ name: String, watermark: Date?) async throws {
        try check()
        try await base.finishReconciliationRun(name, watermark: watermark)
    }
    func jobs(ofPayment paymentID: UUID) async throws -> [JobRecord] {
        try check()
        return try await base.jobs(ofPayment: paymentID)
    }
    func deadLetteredJobs(kind: JobKind?, limit: Int) async throws -> [JobRecord] {
        try check()
        return try await base.deadLetteredJobs(kind: kind, limit: limit)
    }
    func requeueDeadLetteredJobs(_ ids: [UUID], now: Date) async throws -> Int {
        try check()
        return try await base.requeueDeadLetteredJobs(ids, now: now)
    }
    func resealBatch(limit: Int) async throws -> Int {
        try check()
        return try await base.resealBatch(limit: limit)
    }
    func sealedValueCounts() async throws -> [String: Int] {
        try check()
        return try await base.sealedValueCounts()
    }
    func destroyAccountNumbers(settledBefore: Date, limit: Int) async throws -> Int {
        try check()
        return try await base.destroyAccountNumbers(settledBefore: settledBefore, limit: limit)
    }
    func paymentsToSameAccount(as paymentID: UUID, limit: Int) async throws -> [Payment] {
        try check()
        return try await base.paymentsToSameAccount(as: paymentID, limit: limit)
    }

    // MARK: Notifications

    func createEndpoint(_ endpoint: WebhookEndpoint, secret: String, limit: Int) async throws -> Bool {
        try check()
        return try await base.createEndpoint(endpoint, secret: secret, limit: limit)
    }
    func endpoints(clientID: String) async throws -> [WebhookEndpoint] {
        try check()
        return try await base.endpoints(clientID: clientID)
    }
    func endpoint(id: UUID, clientID: String) async throws -> WebhookEndpoint? {
        try check()
        return try await base.endpoint(id: id, clientID: clientID)
    }
    func deleteEndpoint(id: UUID, clientID: String) async throws -> Bool {
        try check()
        return try await base.deleteEndpoint(id: id, clientID: clientID)
    }
    func rotateSecret(id: UUID, clientID: String, secret: String, previousUntil: Date, now: Date) async throws
        -> WebhookEndpoint?
    {
        try check()
        return try await base.rotateSecret(
            id: id, clientID: clientID, secret: secret, previousUntil: previousUntil, now: now)
    }
    func events(_ query: EventQuery) async throws -> EventPage {
        try check()
        return try await base.events(query)
    }
    func event(id: UUID, clientID: String) async throws -> (event: ClientEvent, attempts: [DeliveryAttempt])? {
        try check()
        return try await base.event(id: id, clientID: clientID)
    }
    func redeliver(eventID: UUID, clientID: String, now: Date) async throws -> Int? {
        try check()
        return try await base.redeliver(eventID: eventID, clientID: clientID, now: now)
    }
    func claimDelivery(now: Date, lease: Duration, busy: Set<UUID>) async throws -> ClaimedDelivery? {
        try check()
        return try await base.claimDelivery(now: now, lease: lease, busy: busy)
    }
    func finishDelivery(
        _ delivery: ClaimedDelivery, attempt: DeliveryAttempt, next: DeliveryNext, disableIfFailingSince: Date,
        now: Date
    ) async throws -> DeliveryFinish {
        try check()
        return try await base.finishDelivery(
            delivery, attempt: attempt, next: next, disableIfFailingSince: disableIfFailingSince, now: now)
    }
    func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        try check()
        return try await base.deliveryBacklog(now: now)
    }
    func deleteEvents(createdBefore: Date, limit: Int) async throws -> Int {
        try check()
        return try await base.deleteEvents(createdBefore: createdBefore, limit: limit)
    }
}
