import Foundation
import PaymentsCore
import Testing

/// One behaviour, both databases: every test here runs against SQLite and PostgreSQL.
@Suite("PaymentStore contract (SQLite, PostgreSQL and the simulator's in-memory store)")
struct PaymentStoreContractTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func newPayment(
        clientRef: String = "REF-\(UUID().uuidString.prefix(8))", amount: Int64 = 1250, key: String? = nil,
        client: String = "acme", at: Date = now
    ) -> NewPayment {
        NewPayment(
            id: UUID(), clientID: client,
            request: PaymentRequest(
                amount: Money(minorUnits: amount, currency: .usd), clientRef: clientRef,
                recipient: .bankAccount(
                    name: "Acme LLC", accountNumber: "000123456789", routingNumber: RoutingNumber("021000021")!),
                description: "Invoice"
            ),
            idempotencyKey: key, traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", createdAt: at
        )
    }

    func created(_ store: any PaymentStore, _ new: NewPayment) async throws -> Payment {
        guard case .created(let payment) = try await store.create(new) else {
            throw ContractFailure("expected .created")
        }
        return payment
    }

    @Test(
        "create stores the payment, its history and a submit job; replays and conflicts are told apart",
        arguments: ContractStore.allCases)
    func createAndIdempotency(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let new = Self.newPayment(clientRef: "INV-1", key: "k-1")
            let payment = try await created(store, new)
            #expect(payment.id == new.id)
            #expect(payment.status == .initiated)
            #expect(payment.recipient == new.request.recipient)
            #expect(payment.history.map(\.status) == [.initiated])
            #expect(payment.history.first?.source == .api)
            #expect(payment.traceParent == new.traceParent)
            #expect(abs(payment.createdAt.timeIntervalSince(Self.now)) < 0.001)

            var replay = Self.newPayment(clientRef: "INV-1", key: "k-1")
            #expect(try await store.create(replay) == .replayed(payment))
            replay.idempotencyKey = nil
            #expect(try await store.create(replay) == .replayed(payment))
            var different = Self.newPayment(clientRef: "INV-1", amount: 99, key: "k-1")
            #expect(try await store.create(different) == .conflict(.idempotencyKey))
            different.idempotencyKey = "k-2"
            #expect(try await store.create(different) == .conflict(.clientRef))
            // Another client may reuse both.
            _ = try await created(store, Self.newPayment(clientRef: "INV-1", key: "k-1", client: "globex"))
            let stats = try await store.queueStats(now: Self.now.addingTimeInterval(10))
            #expect(stats[.submit]?.depth == 2)
            #expect(stats[.submit]?.oldestAge == 10)
            #expect(stats[.erpUpdate]?.depth == 0)
        }
    }

    @Test("Concurrent creates of one client_ref make exactly one payment", arguments: ContractStore.allCases)
    func concurrentCreates(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let outcomes = try await withThrowingTaskGroup(of: PaymentCreation.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await store.create(Self.newPayment(clientRef: "RACE", key: "race")) }
                }
                return try await group.reduce(into: [PaymentCreation]()) { $0.append($1) }
            }
            let createdCount = outcomes.filter { if case .created = $0 { true } else { false } }.count
            let replayed = outcomes.filter { if case .replayed = $0 { true } else { false } }.count
            #expect(createdCount == 1)
            #expect(replayed == 15)
        }
    }

    @Test(
        "Many concurrent creates of different payments are each stored whole, with their job",
        arguments: ContractStore.allCases)
    func concurrentDistinctCreates(_ kind: ContractStore) async throws {
        // Enough at once that the PostgreSQL store inserts several to a statement; every optional column is present
        // in some and absent (NULL) in others, and a few are sent again (a new request id, as a client retry) in the
        // same burst.
        let recipients: [Recipient] = [
            .bankAccount(name: "Acme LLC", accountNumber: "000123456789", routingNumber: RoutingNumber("021000021")!),
            .zelle(name: "Jo Doe", token: .email("jo@example.com")),
            .zelle(name: "Ann Lee", token: .phone("+14155550100")),
        ]
        let euro = Currency(code: "EUR")!
        var originals: [NewPayment] = []
        for index in 0..<60 {
            let amount = Money(minorUnits: Int64(100 + index), currency: index % 3 == 0 ? euro : .usd)
            let description: String? = index % 4 == 0 ? nil : "Invoice \(index), \"quoted\", ünïcode"
            let request = PaymentRequest(
                amount: amount, clientRef: "BURST-\(index)", recipient: recipients[index % 3], description: description
            )
            let key: String? = index % 5 == 0 ? nil : "burst-key-\(index)"
            let traceParent: String? = index % 7 == 0 ? nil : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            originals.append(
                NewPayment(
                    id: UUID(), clientID: index % 2 == 0 ? "acme" : "globex", request: request, idempotencyKey: key,
                    traceParent: traceParent, createdAt: Self.now.addingTimeInterval(Double(index) / 1000)
                )
            )
        }
        let retries = originals.prefix(6).map { original in
            NewPayment(
                id: UUID(), clientID: original.clientID, request: original.request,
                idempotencyKey: original.idempotencyKey,
                traceParent: original.traceParent, createdAt: original.createdAt
            )
        }
        try await kind.withStore { store in
            let outcomes = try await withThrowingTaskGroup(of: (UUID, PaymentCreation).self) { group in
                for new in originals + retries {
                    group.addTask { (new.id, try await store.create(new)) }
                }
                return try await group.reduce(into: [UUID: PaymentCreation]()) { $0[$1.0] = $1.1 }
            }
            var createdIDs: Set<UUID> = []
            for (index, original) in originals.enumerated() {
                let racing = index < retries.count ? [original.id, retries[index].id] : [original.id]
                let created = racing.compactMap { id -> Payment? in
                    if case .created(let payment) = outcomes[id] { payment } else { nil }
                }
                #expect(created.count == 1, "payment \(index): one of its requests creates it")
                guard let payment = created.first else { continue }
                createdIDs.insert(payment.id)
                for id in racing where id != payment.id {
                    guard case .replayed(let replayed) = outcomes[id] else {
                        Issue.record(
                            "payment \(index): the other request replays it, got \(String(describing: outcomes[id]))")
                        continue
                    }
                    #expect(replayed.id == payment.id)
                }
                let stored = try #require(try await store.payment(id: payment.id))
                #expect(stored == payment, "payment \(index) reads back as created")
                #expect(stored.clientID == original.clientID)
                #expect(stored.amount == original.request.amount)
                #expect(stored.recipient == original.request.recipient)
                #expect(stored.description == original.request.description)
                #expect(stored.traceParent == original.traceParent)
                #expect(stored.history.map(\.status) == [.initiated])
            }
            #expect(createdIDs.count == originals.count)
            #expect(try await store.queueStats(now: Self.now)[.submit]?.depth == originals.count)
            var claimed: Set<UUID> = []
            while let job = try await store.claimJob(
                kinds: [.submit], now: Self.now.addingTimeInterval(1), lease: .seconds(30))
            {
                claimed.insert(job.paymentID)
                let original = originals.first { $0.id == job.paymentID } ?? retries.first { $0.id == job.paymentID }
                #expect(job.traceParent == original?.traceParent)
            }
            #expect(claimed == createdIDs, "one submit job per payment")
        }
    }

    @Test(
        "Jobs are claimed under a lease: one claimant, lease checked on finish, expired leases reclaimed",
        arguments: ContractStore.allCases)
    func jobLeases(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let payment = try await created(store, Self.newPayment())
            let job = try #require(try await store.claimJob(kinds: [.submit], now: Self.now, lease: .seconds(30)))
            #expect(job.paymentID == payment.id)
            #expect(job.kind == .submit)
            #expect(job.attempts == 1)
            #expect(job.traceParent == payment.traceParent)
            #expect(try await store.payment(id: payment.id)?.attempts == 1)
            #expect(
                try await store.claimJob(kinds: [.submit], now: Self.now.addingTimeInterval(1), lease: .seconds(30))
                    == nil)
            #expect(try await store.claimJob(kinds: [.erpUpdate], now: Self.now, lease: .seconds(30)) == nil)

            // The worker "crashes": after the lease expires another claims the job, and the first one's lease is lost.
            let reclaimed = try #require(
                try await store.claimJob(kinds: [.submit], now: Self.now.addingTimeInterval(31), lease: .seconds(30)))
            #expect(reclaimed.id == job.id)
            #expect(reclaimed.attempts == 2)
            await #expect(throws: StoreError.self) {
                _ = try await store.finish(job, result: .succeeded, event: nil, now: Self.now.addingTimeInterval(32))
            }
            // Rescheduled work waits until it is due.
            try await store.reschedule(
                reclaimed, runAt: Self.now.addingTimeInterval(100), error: "bank down", refundAttempt: false,
                now: Self.now.addingTimeInterval(32))
            #expect(
                try await store.claimJob(kinds: [.submit], now: Self.now.addingTimeInterval(99), lease: .seconds(30))
                    == nil)
            let third = try #require(
                try await store.claimJob(kinds: [.submit], now: Self.now.addingTimeInterval(100), lease: .seconds(30)))
            #expect(third.attempts == 3)
            let event = PaymentEvent(status: .processing, source: .bank, occurredAt: Self.now, bankRef: "BNK-1")
            let outcome = try #require(
                try await store.finish(third, result: .succeeded, event: event, now: Self.now.addingTimeInterval(101)))
            #expect(outcome.payment.status == .processing)
            #expect(outcome.payment.bankRef == "BNK-1")
            #expect(outcome.payment.attempts == 3)
            #expect(try await store.queueStats(now: Self.now)[.submit]?.depth == 0)
        }
    }

    @Test("Concurrent claimants never get the same job", arguments: ContractStore.allCases)
    func concurrentClaims(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            for index in 0..<30 { _ = try await created(store, Self.newPayment(clientRef: "C-\(index)")) }
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                // One at a time, and in batches of up to four (a worker filling its free slots).
                for claimant in 0..<6 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await store.claimJobs(
                                kinds: [.submit], now: Self.now, lease: .seconds(30), limit: claimant % 2 == 0 ? 1 : 4)
                            #expect(batch.count <= (claimant % 2 == 0 ? 1 : 4))
                            #expect(
                                batch.allSatisfy { $0.payment?.id == $0.job.paymentID && $0.payment?.attempts == 1 })
                            if batch.isEmpty { break }
                            mine += batch.map(\.job.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(claimed.count == 30)
            #expect(Set(claimed).count == 30)
        }
    }

    @Test(
        "Concurrent webhooks for one payment: each outcome is the payment as stored right after its own event",
        arguments: ContractStore.allCases)
    func concurrentWebhookOutcomes(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let payment = try await created(store, Self.newPayment())
            let statuses: [PaymentStatus] = [.processing, .completed, .processing, .returned, .completed, .processing]
            let outcomes = try await withThrowingTaskGroup(of: EventOutcome?.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let event = WebhookEvent(
                            eventID: "race-\(index)", paymentID: payment.id, bankRef: "BNK-R",
                            status: statuses[index % statuses.count],
                            returnCode: nil, reason: nil, occurredAt: Self.now
                        )
                        guard case .recorded(let outcome) = try await store.recordWebhook(event, receivedAt: Self.now)
                        else { return nil }
                        return outcome
                    }
                }
                return try await group.reduce(into: [EventOutcome]()) { if let outcome = $1 { $0.append(outcome) } }
            }
            #expect(outcomes.count == 24)
            let stored = try #require(try await store.payment(id: payment.id))
            for outcome in outcomes {
                // Its history is a prefix of what is stored now, ending with its own entry when it wrote one.
                #expect(Array(stored.history.prefix(outcome.payment.history.count)) == outcome.payment.history)
                #expect(outcome.payment.history.count >= 1)
            }
            // Each entry-writing outcome saw a different history length: none missed an entry committed before it.
            let writers = outcomes.filter { $0.action != .alreadyInStatus }
            #expect(Set(writers.map(\.payment.history.count)).count == writers.count)
            #expect(stored.history.count == 1 + writers.count)
        }
    }

    @Test(
        "Webhooks: recorded once per event_id, unknown payments kept, lifecycle applied with follow-up jobs",
        arguments: ContractStore.allCases)
    func webhooks(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let payment = try await created(store, Self.newPayment())
            func event(_ id: String, _ status: PaymentStatus, code: String? = nil) -> WebhookEvent {
                WebhookEvent(
                    eventID: id, paymentID: payment.id, bankRef: "BNK-9", status: status, returnCode: code,
                    reason: code == nil ? nil : "Insufficient funds", occurredAt: Self.now
                )
            }
            guard
                case .recorded(let completed) = try await store.recordWebhook(
                    event("e1", .completed), receivedAt: Self.now)
            else {
                throw ContractFailure("expected .recorded")
            }
            #expect(completed.action == .transition(to: .completed, followUp: [.erpUpdate]))
            #expect(completed.previousStatus == .initiated)
            #expect(completed.payment.bankRef == "BNK-9")
            #expect(try await store.recordWebhook(event("e1", .completed), receivedAt: Self.now) == .duplicate)
            guard
                case .recorded(let late) = try await store.recordWebhook(event("e2", .processing), receivedAt: Self.now)
            else {
                throw ContractFailure("expected .recorded")
            }
            #expect(late.action == .recordOnly(.wouldMoveBackwards))
            #expect(late.payment.status == .completed)
            #expect(
                late.payment.history.last
                    == PaymentHistoryEntry(
                        status: .processing, at: Self.now, source: .webhook, applied: false,
                        detail: "not applied: would_move_backwards"))
            guard
                case .recorded(let returned) = try await store.recordWebhook(
                    event("e3", .returned, code: "R01"), receivedAt: Self.now)
            else {
                throw ContractFailure("expected .recorded")
            }
            #expect(returned.payment.status == .returned)
            #expect(returned.payment.returnCode == "R01")
            #expect(returned.payment.failureReason == "Insufficient funds")
            #expect(returned.payment.history.last?.detail == "R01: Insufficient funds")
            #expect(returned.payment.history.map(\.status) == [.initiated, .completed, .processing, .returned])
            #expect(try await store.queueStats(now: Self.now)[.erpUpdate]?.depth == 2)

            let stranger = WebhookEvent(
                eventID: "e4", paymentID: UUID(), bankRef: nil, status: .completed, returnCode: nil, reason: nil,
                occurredAt: Self.now)
            #expect(try await store.recordWebhook(stranger, receivedAt: Self.now) == .unknownPayment)
            #expect(try await store.recordWebhook(stranger, receivedAt: Self.now) == .duplicate)
        }
    }

    @Test(
        "Finished jobs past the retention are deleted, oldest first; waiting, running and dead ones stay",
        arguments: ContractStore.allCases)
    func finishedJobRetention(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let lease = Duration.seconds(30)
            // Five finished an hour apart (succeeded, skipped, handed to reconciliation), one dead, one running,
            // one still queued.
            var ended: [UUID] = []
            for index in 0..<8 { _ = try await created(store, Self.newPayment(clientRef: "RET-\(index)")) }
            let results: [JobResult] = [
                .succeeded, .skipped("nothing to do"), .awaitingReconciliation("ask the bank"), .succeeded,
                .succeeded, .deadLettered("gave up"),
            ]
            for (hour, result) in results.enumerated() {
                let at = Self.now.addingTimeInterval(Double(hour) * 3600)
                guard let job = try await store.claimJob(kinds: [.submit], now: at, lease: lease) else {
                    throw ContractFailure("expected a job to claim")
                }
                _ = try await store.finish(job, result: result, event: nil, now: at)
                ended.append(job.paymentID)
            }
            let running = try await store.claimJob(kinds: [.submit], now: Self.now, lease: .seconds(86_400))
            #expect(running != nil)
            let cutoff = Self.now.addingTimeInterval(3.5 * 3600)
            // In batches: the oldest two, then the third finished before the cut-off; the dead one is not finished.
            #expect(try await store.deleteFinishedJobs(finishedBefore: cutoff, limit: 2) == 2)
            #expect(try await store.jobs(ofPayment: ended[0]).isEmpty)
            #expect(try await store.jobs(ofPayment: ended[1]).isEmpty)
            #expect(try await store.jobs(ofPayment: ended[2]).count == 1)
            #expect(try await store.deleteFinishedJobs(finishedBefore: cutoff, limit: 2) == 2)
            #expect(try await store.jobs(ofPayment: ended[2]).isEmpty)
            #expect(try await store.jobs(ofPayment: ended[3]).isEmpty)
            #expect(try await store.deleteFinishedJobs(finishedBefore: cutoff, limit: 2) == 0)
            #expect(try await store.jobs(ofPayment: ended[4]).map(\.state) == ["succeeded"])
            #expect(try await store.deadLetteredJobs(kind: nil, limit: 10).count == 1)
            let everything = Self.now.addingTimeInterval(30 * 86_400)
            #expect(try await store.deleteFinishedJobs(finishedBefore: everything, limit: 100) == 1)
            #expect(try await store.deadLetteredJobs(kind: nil, limit: 10).count == 1)
            // One running, one queued: what the queue metrics count.
            let stats = try await store.queueStats(now: Self.now.addingTimeInterval(60))
            #expect(stats[.submit] == JobQueueStats(depth: 2, oldestAge: 60))
            #expect(stats[.erpUpdate] == JobQueueStats(depth: 0, oldestAge: 0))
        }
    }

    @Test("A dead-lettered submit fails its payment in the same transaction", arguments: ContractStore.allCases)
    func deadLetter(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let payment = try await created(store, Self.newPayment())
            let job = try #require(try await store.claimJob(kinds: [.submit], now: Self.now, lease: .seconds(30)))
            let failed = PaymentEvent(
                status: .failed, source: .worker, occurredAt: Self.now, reason: "bank unavailable")
            let outcome = try #require(
                try await store.finish(job, result: .deadLettered("gave up"), event: failed, now: Self.now))
            #expect(outcome.payment.status == .failed)
            #expect(outcome.payment.failureReason == "bank unavailable")
            #expect(try await store.payment(id: payment.id)?.history.last?.source == .worker)
            // Settling queues the ERP update.
            let erp = try #require(try await store.claimJob(kinds: [.erpUpdate], now: Self.now, lease: .seconds(30)))
            #expect(erp.paymentID == payment.id)
            #expect(try await store.finish(erp, result: .skipped("no ERP"), event: nil, now: Self.now) == nil)
        }
    }

    @Test("Lists page newest first with filters, per client", arguments: ContractStore.allCases)
    func listing(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            var ids: [UUID] = []
            for index in 0..<5 {
                // Two payments share each timestamp, so the id breaks ties in the cursor.
                let at = Self.now.addingTimeInterval(Double(index / 2))
                ids.append(try await created(store, Self.newPayment(clientRef: "L-\(index)", at: at)).id)
            }
            _ = try await created(store, Self.newPayment(clientRef: "L-0", client: "globex"))
            var seen: [UUID] = []
            var cursor: PaymentCursor?
            repeat {
                let page = try await store.payments(PaymentQuery(clientID: "acme", limit: 2, after: cursor))
                #expect(page.payments.count <= 2)
                seen += page.payments.map(\.id)
                cursor = page.next
            } while cursor != nil
            #expect(seen.count == 5)
            #expect(Set(seen) == Set(ids))
            let times = try await seen.asyncMap { try await store.payment(id: $0)!.createdAt }
            #expect(times == times.sorted(by: >))
            #expect(
                try await store.payments(PaymentQuery(clientID: "acme", clientRef: "L-3")).payments.map(\.id) == [
                    ids[3]
                ])
            #expect(try await store.payments(PaymentQuery(clientID: "acme", status: .completed)).payments.isEmpty)
            #expect(try await store.payments(PaymentQuery(clientID: "globex")).payments.count == 1)
        }
    }

    @Test("Migrations are idempotent and safe to run concurrently", arguments: ContractStore.allCases)
    func migrations(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            try await store.checkReady()
        }
    }
}

struct ContractFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
