import Foundation
import Logging
import PaymentsCore
import PaymentsStorage
import Testing

/// The notification half of the store, both databases: events written with every status change and only then,
/// deliveries for the endpoints that receive the type, claims that pass over busy endpoints, secrets sealed and
/// re-sealed, retention.
@Suite("NotificationStore contract (SQLite, PostgreSQL and the simulator's in-memory store)")
struct NotificationStoreContractTests {
    static let now = PaymentStoreContractTests.now

    static func endpoint(client: String = "acme", events: [ClientEventType]? = nil) -> WebhookEndpoint {
        WebhookEndpoint(
            id: UUID(), clientID: client, url: "https://93.184.216.34/hooks", events: events, description: nil,
            createdAt: now)
    }

    static func event(_ status: PaymentStatus, source: EventSource = .bank) -> PaymentEvent {
        PaymentEvent(status: status, source: source, occurredAt: now, reason: status == .failed ? "Closed" : nil)
    }

    @Test(
        "Every status change, and only a change, writes one event; a correction is payment.corrected",
        arguments: ContractStore.allCases)
    func eventsFollowStatusChanges(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let payment = PaymentStoreContractTests.newPayment()
            _ = try await store.create(payment)
            _ = try await store.create(PaymentStoreContractTests.newPayment(client: "globex"))
            _ = try await store.apply(Self.event(.processing), to: payment.id, now: Self.now)
            _ = try await store.apply(Self.event(.processing), to: payment.id, now: Self.now)  // already in status
            _ = try await store.apply(Self.event(.failed), to: payment.id, now: Self.now)
            _ = try await store.apply(Self.event(.initiated), to: payment.id, now: Self.now)  // kept, not applied
            _ = try await store.apply(Self.event(.completed), to: payment.id, now: Self.now)  // the bank corrects
            let page = try await store.events(EventQuery(clientID: "acme"))
            #expect(
                page.events.map(\.type) == [
                    .paymentInitiated, .paymentProcessing, .paymentFailed, .paymentCorrected,
                ])
            #expect(page.events.map(\.payment?.status) == [.initiated, .processing, .failed, .completed])
            #expect(page.events.last?.correctedFrom == .failed)
            #expect(page.events[2].payment?.failureReason == "Closed")
            #expect(page.events.allSatisfy { $0.clientID == "acme" && $0.payment?.id == payment.id })
            #expect(!page.hasMore)
            // Pages and the type filter.
            let first = try await store.events(EventQuery(clientID: "acme", limit: 3))
            #expect(first.events.count == 3 && first.hasMore)
            let rest = try await store.events(EventQuery(clientID: "acme", after: first.next, limit: 3))
            #expect(rest.events.map(\.type) == [.paymentCorrected] && !rest.hasMore)
            let empty = try await store.events(EventQuery(clientID: "acme", after: rest.next))
            #expect(empty.events.isEmpty && empty.next == rest.next)
            let failed = try await store.events(EventQuery(clientID: "acme", type: .paymentFailed))
            #expect(failed.events.count == 1)
            let found = try #require(try await store.event(id: failed.events[0].id, clientID: "acme"))
            #expect(found.event == failed.events[0] && found.attempts.isEmpty)
            #expect(try await store.event(id: failed.events[0].id, clientID: "globex") == nil)
        }
    }

    @Test(
        "Deliveries go to the client's enabled endpoints that receive the type; claims pass over busy endpoints",
        arguments: ContractStore.allCases)
    func deliveriesAndClaims(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let all = Self.endpoint()
            let completedOnly = Self.endpoint(events: [.paymentCompleted])
            let other = Self.endpoint(client: "globex")
            for endpoint in [all, completedOnly, other] {
                #expect(try await store.createEndpoint(endpoint, secret: "whsec_\(endpoint.id)", limit: 16))
            }
            let payment = PaymentStoreContractTests.newPayment()
            _ = try await store.create(payment)
            _ = try await store.apply(Self.event(.completed), to: payment.id, now: Self.now)
            #expect(try await store.deliveryBacklog(now: Self.now).pending == 3)  // all: 2, completed-only: 1

            var claimed: [ClaimedDelivery] = []
            while let next = try await store.claimDelivery(now: Self.now, lease: .seconds(30), busy: [all.id]) {
                claimed.append(next)
            }
            #expect(claimed.map(\.endpointID) == [completedOnly.id])
            #expect(claimed.first?.event.type == .paymentCompleted)
            #expect(claimed.first?.secrets == ["whsec_\(completedOnly.id)"])
            let delivery = try #require(claimed.first)
            let attempt = DeliveryAttempt(
                endpointID: delivery.endpointID, at: Self.now, statusCode: 500, latency: .milliseconds(12),
                error: "endpoint answered HTTP 500")
            _ = try await store.finishDelivery(
                delivery, attempt: attempt, next: .retry(at: Self.now.addingTimeInterval(60)),
                disableIfFailingSince: Self.now.addingTimeInterval(-3600), now: Self.now)
            await #expect(throws: StoreError.self) {
                _ = try await store.finishDelivery(
                    delivery, attempt: attempt, next: .delivered, disableIfFailingSince: Self.now, now: Self.now)
            }
            let recorded = try #require(try await store.event(id: delivery.event.id, clientID: "acme"))
            #expect(recorded.attempts.map(\.statusCode) == [500])
            #expect(recorded.attempts.first?.latency == .milliseconds(12))

            // The retry is not due yet; the other endpoint's two are.
            var rest: [ClaimedDelivery] = []
            while let next = try await store.claimDelivery(now: Self.now, lease: .seconds(30), busy: []) {
                rest.append(next)
            }
            #expect(rest.map(\.endpointID) == [all.id, all.id])
            // Deleting an endpoint drops what it still had waiting.
            #expect(try await store.deleteEndpoint(id: completedOnly.id, clientID: "acme"))
            #expect(try await store.deleteEndpoint(id: completedOnly.id, clientID: "acme") == false)
            #expect(try await store.deleteEndpoint(id: other.id, clientID: "acme") == false)
            // Past its retry time nothing is left for it (the other endpoint's leases have expired: passed over here).
            #expect(
                try await store.claimDelivery(
                    now: Self.now.addingTimeInterval(120), lease: .seconds(30), busy: [all.id])
                    == nil)
            // Redelivery queues the event again for the endpoints that receive it now.
            #expect(try await store.redeliver(eventID: delivery.event.id, clientID: "acme", now: Self.now) == 0)
            #expect(try await store.redeliver(eventID: delivery.event.id, clientID: "globex", now: Self.now) == nil)
        }
    }

    @Test("Registrations at the same moment cannot pass a client's endpoint limit", arguments: ContractStore.allCases)
    func endpointLimitHoldsUnderConcurrency(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await store.createEndpoint(Self.endpoint(), secret: "s", limit: 5) }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(created == 5)
            #expect(try await store.endpoints(clientID: "acme").count == 5)
            #expect(try await store.createEndpoint(Self.endpoint(client: "globex"), secret: "s", limit: 5))
        }
    }

    @Test(
        "An endpoint that failed every attempt for the whole window is disabled, with an event",
        arguments: ContractStore.allCases)
    func disablingAfterTheWindow(_ kind: ContractStore) async throws {
        try await kind.withStore { store in
            let failing = Self.endpoint()
            let healthy = Self.endpoint()
            #expect(try await store.createEndpoint(failing, secret: "a", limit: 16))
            #expect(try await store.createEndpoint(healthy, secret: "b", limit: 16))
            _ = try await store.create(PaymentStoreContractTests.newPayment())
            let delivery = try #require(
                try await store.claimDelivery(now: Self.now, lease: .seconds(30), busy: [healthy.id]))
            let attempt = DeliveryAttempt(
                endpointID: failing.id, at: Self.now, statusCode: nil, latency: .seconds(1), error: "timed out")
            let later = Self.now.addingTimeInterval(7200)
            let finish = try await store.finishDelivery(
                delivery, attempt: attempt, next: .gaveUp, disableIfFailingSince: later.addingTimeInterval(-3600),
                now: later)
            #expect(finish.disabledEndpoint)
            #expect(try await store.endpoint(id: failing.id, clientID: "acme")?.status == .disabled)
            let disabled = try await store.events(EventQuery(clientID: "acme", type: .endpointDisabled))
            #expect(disabled.events.map(\.endpointID) == [failing.id])
            // The healthy endpoint hears of it, the disabled one gets nothing more.
            var claimed: [ClaimedDelivery] = []
            while let next = try await store.claimDelivery(now: later, lease: .seconds(30), busy: []) {
                claimed.append(next)
            }
            #expect(Set(claimed.map(\.endpointID)) == [healthy.id])
            #expect(Set(claimed.map(\.event.type)) == [.paymentInitiated, .endpointDisabled])
            #expect(try await store.deleteEvents(createdBefore: later.addingTimeInterval(1), limit: 100) == 2)
            #expect(try await store.events(EventQuery(clientID: "acme")).events.isEmpty)
        }
    }

    @Test(
        // Several stores on one database: not the in-memory one, which a single store owns.
        "Endpoint secrets are sealed at rest and re-sealed by a rotation of the data keys",
        arguments: StoreKind.allCases)
    func secretsResealed(_ kind: StoreKind) async throws {
        let old = TestClients.dataKeys
        let rotated = DataKeyRing(
            keys: [("test-2", Array(repeating: 3, count: 32)), ("test-1", Array(repeating: 7, count: 32))],
            indexKey: Array(repeating: 9, count: 32))
        let newOnly = DataKeyRing(
            keys: [("test-2", Array(repeating: 3, count: 32))], indexKey: Array(repeating: 9, count: 32))
        try await kind.withStores(rings: [old, rotated, newOnly]) { stores in
            let endpoint = Self.endpoint()
            #expect(try await stores[0].createEndpoint(endpoint, secret: "whsec_first", limit: 16))
            _ = try await stores[0].rotateSecret(
                id: endpoint.id, clientID: "acme", secret: "whsec_second",
                previousUntil: Self.now.addingTimeInterval(60),
                now: Self.now)
            #expect(try await stores[0].sealedValueCounts() == ["test-1": 2])
            while try await stores[1].resealBatch(limit: 10) > 0 {}
            #expect(try await stores[1].sealedValueCounts() == ["test-2": 2])
            _ = try await stores[2].create(PaymentStoreContractTests.newPayment())
            let claimed = try #require(try await stores[2].claimDelivery(now: Self.now, lease: .seconds(30), busy: []))
            #expect(claimed.secrets == ["whsec_second", "whsec_first"])
        }
    }
}

extension StoreKind {
    /// Runs `body` with one migrated, empty database opened by a store per ring.
    func withStores(rings: [DataKeyRing], _ body: ([any PaymentStore]) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let path = TestServer.temporaryDatabasePath()
            let stores = try rings.map { try SQLitePaymentStore(path: path, ring: $0) }
            try await stores[0].migrate()
            try await body(stores)
        case .postgres:
            try await PostgresTestDatabase.withClient(url: try await PostgresTestDatabase.create()) { client in
                let stores = rings.map {
                    PostgresPaymentStore(client: client, logger: Logger(label: "pg-test"), ring: $0)
                }
                try await stores[0].migrate()
                try await body(stores)
            }
        }
    }
}
