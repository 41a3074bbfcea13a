import Foundation
import PaymentsCore
import PaymentsStorage
import PostgresNIO
import Synchronization
import Testing

/// The event feed's cursor on PostgreSQL, where transactions commit in another order than they began: an event is
/// listed only once nothing older can still commit, so a client reading as fast as it likes never skips one.
@Suite("Event feed: a cursor that never skips an event")
struct EventFeedTests {
    @Test("An event committed after a later one is not skipped: the later waits until the earlier commits")
    func outOfOrderCommitsAreNotSkipped() async throws {
        let url = try await PostgresTestDatabase.create()
        try await PostgresTestDatabase.withClient(url: url) { client in
            let store = PostgresPaymentStore(
                client: client, logger: Logger(label: "pg-test"), ring: TestClients.dataKeys)
            try await store.migrate()
            let first = PaymentStoreContractTests.newPayment(clientRef: "FEED-1")
            let second = PaymentStoreContractTests.newPayment(clientRef: "FEED-2")
            _ = try await store.create(first)
            _ = try await store.create(second)
            let start = try await store.events(EventQuery(clientID: "acme"))
            #expect(start.events.map(\.type) == [.paymentInitiated, .paymentInitiated])

            try await client.withConnection { held in
                // This transaction changes the first payment and stays open: its event has the older transaction id.
                _ = try await held.query("BEGIN", logger: Logger(label: "pg-test")).collect()
                _ = try await held.query(
                    "UPDATE payments SET status = 'processing', updated_at = now() WHERE id = \(first.id)",
                    logger: Logger(label: "pg-test")
                ).collect()
                // A later transaction changes the second payment and commits first.
                _ = try await store.apply(
                    PaymentEvent(status: .processing, source: .bank, occurredAt: Date()), to: second.id, now: Date())
                let meanwhile = try await store.events(EventQuery(clientID: "acme", after: start.next))
                #expect(meanwhile.events.isEmpty, "the later commit is held back while an older one may still commit")
                #expect(meanwhile.next == start.next)
                _ = try await held.query("COMMIT", logger: Logger(label: "pg-test")).collect()
            }
            let after = try await store.events(EventQuery(clientID: "acme", after: start.next))
            #expect(after.events.map(\.payment?.id) == [first.id, second.id])
            #expect(after.events.allSatisfy { $0.type == .paymentProcessing && $0.payment?.status == .processing })
        }
    }

    @Test("Two instances, concurrent creates and settlements: the feed lists every status change exactly once")
    func everyChangeOnceAcrossInstances() async throws {
        var options = TestServer.Options()
        options.databaseURL = try await PostgresTestDatabase.create()
        try await TestServer.with(options) { first in
            try await TestServer.with(options) { second in
                let collected = Mutex<[String]>([])
                let done = Mutex(false)
                // A client reading the feed from the first instance as fast as it can, small pages.
                let reader = Task {
                    var cursor: String?
                    var quietRounds = 0
                    while quietRounds < 40 {
                        let page = try await first.request(
                            .GET, "/v1/events?limit=7" + (cursor.map { "&after=\($0)" } ?? ""))
                        let data = page.json["data"] as? [[String: Any]] ?? []
                        let keys = data.map {
                            "\((($0["data"] as? [String: Any])?["payment"] as? [String: Any])?["payment_id"] as? String ?? "") \($0["type"] as? String ?? "")"
                        }
                        collected.withLock { $0 += keys }
                        cursor = page.json["next_cursor"] as? String ?? cursor
                        quietRounds = data.isEmpty && done.withLock({ $0 }) ? quietRounds + 1 : 0
                        if data.isEmpty { try await Task.sleep(for: .milliseconds(25)) }
                    }
                }
                let ids = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<60 {
                        let server = index.isMultiple(of: 2) ? first : second
                        group.addTask {
                            let created = try await server.createPayment(clientRef: "MULTI-\(index)")
                            return created.json["payment_id"] as? String ?? ""
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for id in ids { _ = try await first.waitForStatus(id, "completed", timeout: .seconds(30)) }
                done.withLock { $0 = true }
                try await reader.value
                let listed = collected.withLock { $0 }
                let expected = ClientNotificationTests.expectedEvents(ids)
                #expect(
                    listed.count == expected.count, "every change once: \(listed.count) listed, \(expected.count) made")
                #expect(Set(listed) == expected)
            }
        }
    }
}
