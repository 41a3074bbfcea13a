import Foundation
import PaymentsCore
import Testing

/// Reconciliation and operations on both databases: corrections, the payments reconciliation asks about, its run
/// lease, and the dead-letter tools.
@Suite("PaymentStore reconciliation contract (SQLite, PostgreSQL and the simulator's in-memory store)")
struct ReconciliationStoreContractTests {
    static let now = PaymentStoreContractTests.now

    func created(_ store: any PaymentStore, at date: Date = now) async throws -> Payment {
        guard case .created(let payment) = try await store.create(PaymentStoreContractTests.newPayment(at: date)) else {
            throw ContractFailure("expected .created")
        }
        return payment
    }

    /// Claims the payment's submit job and finishes it with `event`.
    func submitted(_ store: any PaymentStore, _ event: PaymentEvent, at date: Date = now) async throws -> EventOutcome?
    {
        let job = try #require(try await store.claimJob(kinds: [.submit], now: date, lease: .seconds(30)))
        return try await store.finish(job, result: .succeeded, event: event, now: date)
    }

    @Test(
        "The bank's record corrects a failed payment: status, history, ERP job, in one step",
        arguments: ContractStore.allCases)
    func correction(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            // Through `apply` (a status query or the settlement report).
            let first = try await created(store)
            _ = try await submitted(
                store, PaymentEvent(status: .failed, source: .bank, occurredAt: Self.now, reason: "Account closed"))
            _ = try await store.claimJob(kinds: [.erpUpdate], now: Self.now, lease: .seconds(30))
            let later = Self.now.addingTimeInterval(60)
            let outcome = try #require(
                try await store.apply(
                    PaymentEvent(status: .completed, source: .reconciliation, occurredAt: later, bankRef: "BNK-1"),
                    to: first.id, now: later))
            #expect(outcome.action == .correction(from: .failed, to: .completed, followUp: [.erpUpdate]))
            #expect(outcome.previousStatus == .failed)
            #expect(outcome.payment.status == .completed)
            #expect(outcome.payment.bankRef == "BNK-1")
            #expect(outcome.payment.failureReason == nil)
            let stored = try #require(try await store.payment(id: first.id))
            #expect(stored.status == .completed)
            let last = try #require(stored.history.last)
            #expect(last.status == .completed && last.source == .reconciliation && last.applied)
            #expect(last.correctedFrom == .failed)
            #expect(stored.history.dropLast().allSatisfy { $0.correctedFrom == nil })
            let erp = try #require(try await store.claimJob(kinds: [.erpUpdate], now: later, lease: .seconds(30)))
            #expect(erp.paymentID == first.id)

            // Through a webhook, the same.
            let second = try await created(store)
            _ = try await submitted(
                store, PaymentEvent(status: .failed, source: .bank, occurredAt: Self.now, reason: "Account closed"))
            let webhook = WebhookEvent(
                eventID: "evt_corr_\(second.id.lowercased)", paymentID: second.id, bankRef: "BNK-2", status: .returned,
                returnCode: "R01", reason: "Insufficient funds", occurredAt: later)
            guard case .recorded(let recorded) = try await store.recordWebhook(webhook, receivedAt: later) else {
                throw ContractFailure("expected .recorded")
            }
            #expect(recorded.action == .correction(from: .failed, to: .returned, followUp: [.erpUpdate]))
            #expect(recorded.payment.returnCode == "R01")
            #expect(try await store.payment(id: second.id)?.history.last?.correctedFrom == .failed)

            // Our own worker cannot revive a failed payment: kept in history, status unchanged.
            let third = try await created(store)
            _ = try await submitted(
                store, PaymentEvent(status: .failed, source: .bank, occurredAt: Self.now, reason: "Account closed"))
            let ignored = try #require(
                try await store.apply(
                    PaymentEvent(status: .completed, source: .worker, occurredAt: later), to: third.id, now: later))
            #expect(ignored.action == .recordOnly(.alreadySettled))
            #expect(try await store.payment(id: third.id)?.status == .failed)
        }
    }

    @Test(
        "Reconciliation asks about unconfirmed submissions, stuck processing and completed payments in their return window",
        arguments: ContractStore.allCases)
    func candidates(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let start = Self.now
            // Unconfirmed: the submit job ended without a clear answer.
            let unconfirmed = try await created(store, at: start)
            let job = try #require(try await store.claimJob(kinds: [.submit], now: start, lease: .seconds(30)))
            #expect(
                try await store.finish(job, result: .awaitingReconciliation("timeout"), event: nil, now: start) == nil)
            #expect(try await store.jobs(ofPayment: unconfirmed.id).map(\.state) == ["reconcile"])
            #expect(try await store.payment(id: unconfirmed.id)?.status == .initiated)
            // Processing, accepted by the bank.
            let processing = try await created(store, at: start)
            _ = try await submitted(
                store, PaymentEvent(status: .processing, source: .bank, occurredAt: start, bankRef: "BNK-P"), at: start)
            // Completed, and completed long ago (outside the return window).
            let completed = try await created(store, at: start)
            _ = try await submitted(
                store, PaymentEvent(status: .completed, source: .bank, occurredAt: start, bankRef: "BNK-C"), at: start)
            let old = try await created(store, at: start.addingTimeInterval(-10_000))
            _ = try await submitted(
                store, PaymentEvent(status: .completed, source: .bank, occurredAt: start, bankRef: "BNK-O"),
                at: start.addingTimeInterval(-10_000))
            // Initiated with its submit job still queued: the worker owns it, not reconciliation.
            let queued = try await created(store, at: start)

            let now = start.addingTimeInterval(120)
            func candidates(at now: Date) async throws -> Set<UUID> {
                Set(
                    try await store.reconciliationCandidates(
                        now: now, stuckBefore: now.addingTimeInterval(-60),
                        returnWindowStart: now.addingTimeInterval(-1_000), limit: 100
                    ).map(\.id))
            }
            #expect(try await candidates(at: now) == [unconfirmed.id, processing.id, completed.id])
            #expect(try await candidates(at: start.addingTimeInterval(30)).isEmpty, "too recent to ask about")
            #expect(!(try await candidates(at: now)).contains(old.id))
            #expect(!(try await candidates(at: now)).contains(queued.id))

            // A scheduled next check holds a payment back until it comes.
            try await store.scheduleReconciliation([completed.id: now.addingTimeInterval(300)])
            #expect(try await candidates(at: now) == [unconfirmed.id, processing.id])
            #expect(try await candidates(at: now.addingTimeInterval(300)).contains(completed.id))

            let backlog = try await store.reconciliationBacklog(stuckBefore: now.addingTimeInterval(-60), now: now)
            #expect(backlog.unconfirmedSubmissions == 1)
            #expect(backlog.stuckProcessing == 1)
            #expect(abs(backlog.oldestAge - 120) < 0.01)

            let found = try await store.payments(ids: [processing.id, UUID(), completed.id])
            #expect(Set(found.map(\.id)) == [processing.id, completed.id])
            #expect(found.allSatisfy { $0.history.isEmpty })
        }
    }

    @Test(
        "One reconciliation run at a time, under a lease; the watermark carries to the next run",
        arguments: ContractStore.allCases)
    func runLease(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let first = try await store.claimReconciliationRun("report", now: Self.now, lease: .seconds(60))
            #expect(first == ReconciliationRun(watermark: nil))
            #expect(
                try await store.claimReconciliationRun(
                    "report", now: Self.now.addingTimeInterval(10), lease: .seconds(60)) == nil)
            // Another name is another run.
            #expect(try await store.claimReconciliationRun("other", now: Self.now, lease: .seconds(60)) != nil)
            let mark = Date(timeIntervalSince1970: 1_800_000_123.456)
            try await store.finishReconciliationRun("report", watermark: mark)
            let next = try #require(
                try await store.claimReconciliationRun(
                    "report", now: Self.now.addingTimeInterval(20), lease: .seconds(60)))
            #expect(abs((next.watermark?.timeIntervalSince(mark) ?? 99)) < 0.000_01)
            // A run whose holder died is taken over once its lease ends; a nil watermark keeps the last one.
            let takenOver = try await store.claimReconciliationRun(
                "report", now: Self.now.addingTimeInterval(81), lease: .seconds(60))
            #expect(takenOver != nil)
            try await store.finishReconciliationRun("report", watermark: nil)
            let kept = try await store.claimReconciliationRun(
                "report", now: Self.now.addingTimeInterval(90), lease: .seconds(60))
            #expect(abs((kept?.watermark?.timeIntervalSince(mark) ?? 99)) < 0.000_01)
        }
    }

    @Test("Dead-lettered jobs are listed with their reasons and can be queued again", arguments: ContractStore.allCases)
    func deadLetters(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let payment = try await created(store)
            let settled = Self.now.addingTimeInterval(1)
            _ = try await submitted(
                store, PaymentEvent(status: .completed, source: .bank, occurredAt: settled, bankRef: "BNK-D"),
                at: settled)
            let erp = try #require(try await store.claimJob(kinds: [.erpUpdate], now: settled, lease: .seconds(30)))
            _ = try await store.finish(erp, result: .deadLettered("ERP answered 500"), event: nil, now: Self.now)

            let dead = try await store.deadLetteredJobs(kind: nil, limit: 10)
            #expect(dead.map(\.id) == [erp.id])
            #expect(dead.first?.result == "ERP answered 500")
            #expect(dead.first?.paymentID == payment.id)
            #expect(try await store.deadLetteredJobs(kind: .submit, limit: 10).isEmpty)
            #expect(try await store.deadLetteredJobs(kind: .erpUpdate, limit: 10).count == 1)
            #expect(try await store.jobs(ofPayment: payment.id).map(\.kind) == [.submit, .erpUpdate])

            let later = Self.now.addingTimeInterval(5)
            #expect(try await store.requeueDeadLetteredJobs([erp.id, UUID()], now: later) == 1)
            #expect(try await store.requeueDeadLetteredJobs([erp.id], now: later) == 0, "only dead jobs are queued")
            #expect(try await store.deadLetteredJobs(kind: nil, limit: 10).isEmpty)
            let again = try #require(try await store.claimJob(kinds: [.erpUpdate], now: later, lease: .seconds(30)))
            #expect(again.id == erp.id)
            #expect(again.attempts == 1)
            // A fresh retry budget: the window counts from the requeue.
            #expect(abs(again.createdAt.timeIntervalSince(later)) < 0.001)
        }
    }

    @Test(
        "The blind index finds the other payments to one bank account, without opening any",
        arguments: ContractStore.allCases)
    func sameAccount(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let first = try await created(store)
            let second = try await created(store)
            var elsewhere = PaymentStoreContractTests.newPayment()
            elsewhere.request.recipient = .bankAccount(
                name: "Other", accountNumber: "99887766", routingNumber: RoutingNumber("021000021")!)
            _ = try await store.create(elsewhere)
            #expect(try await store.paymentsToSameAccount(as: first.id, limit: 10).map(\.id) == [second.id])
            #expect(try await store.paymentsToSameAccount(as: elsewhere.id, limit: 10).isEmpty)
            #expect(try await store.sealedValueCounts() == [TestClients.dataKeys.sealingKeyID: 3])
        }
    }
}
