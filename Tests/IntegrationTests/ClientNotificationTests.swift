import Foundation
import PaymentsCore
import PaymentsOrchestrator
import TestSupport
import Testing

/// Client notifications over loopback: signed deliveries to each client's own endpoints, retries, secret rotation,
/// the event feed and its cursor, the address checks on endpoint URLs.
@Suite("Client notifications: endpoints, signed deliveries, the event feed")
struct ClientNotificationTests {
    /// Registers `url` for the client of `key`; returns the endpoint's JSON (with its secret).
    static func register(
        _ server: TestServer, url: String, key: String = TestClients.acmeKey, events: [String]? = nil
    ) async throws -> [String: any Sendable] {
        var body: [String: Any] = ["url": url, "description": "test receiver"]
        if let events { body["events"] = events }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let created = try await server.request(.POST, "/v1/webhook_endpoints", body: text, key: key)
        #expect(created.status == 201, "\(created.text)")
        return created.json
    }

    /// Creates `count` payments for the client of `key` and waits until each has completed; returns their ids.
    static func settledPayments(_ server: TestServer, count: Int, key: String, prefix: String) async throws -> [String]
    {
        var ids: [String] = []
        for index in 0..<count {
            let created = try await server.createPayment(clientRef: "\(prefix)-\(index)", key: key)
            #expect(created.status == 201)
            ids.append(try #require(created.json["payment_id"] as? String))
        }
        for id in ids {
            var status: String?
            for _ in 0..<800 {
                status = try await server.request(.GET, "/v1/payments/\(id)", key: key).json["status"] as? String
                if status == "completed" { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(status == "completed")
        }
        return ids
    }

    /// The `(payment_id, type)` pairs the lifecycle of settled payments produces.
    static func expectedEvents(_ ids: [String]) -> Set<String> {
        Set(ids.flatMap { id in ["initiated", "processing", "completed"].map { "\(id) payment.\($0)" } })
    }

    @Test(
        "Two clients, two endpoints: each receives exactly its own events, validly signed",
        arguments: StoreKind.allCases)
    func eachClientReceivesItsOwnEvents(_ kind: StoreKind) async throws {
        var options = TestServer.Options()
        if kind == .postgres { options.databaseURL = try await PostgresTestDatabase.create() }
        try await EventReceiver.with { acmeReceiver in
            try await EventReceiver.with { globexReceiver in
                try await TestServer.with(options) { server in
                    let acme = try await Self.register(server, url: acmeReceiver.url)
                    let globex = try await Self.register(server, url: globexReceiver.url, key: TestClients.globexKey)
                    let acmeSecret = try #require(acme["secret"] as? String)
                    let globexSecret = try #require(globex["secret"] as? String)
                    #expect(acmeSecret.hasPrefix("whsec_") && acmeSecret != globexSecret)
                    #expect(acme["status"] as? String == "enabled")
                    #expect(acme["events"] as? [String] == ["*"])

                    let acmeIDs = try await Self.settledPayments(
                        server, count: 5, key: TestClients.acmeKey, prefix: "A")
                    let globexIDs = try await Self.settledPayments(
                        server, count: 5, key: TestClients.globexKey, prefix: "G")
                    let acmeExpected = Self.expectedEvents(acmeIDs)
                    let globexExpected = Self.expectedEvents(globexIDs)
                    func seen(_ receiver: EventReceiver) -> Set<String> {
                        Set(receiver.received.map { "\($0.payment["payment_id"] as? String ?? "") \($0.type)" })
                    }
                    #expect(
                        await eventually {
                            seen(acmeReceiver) == acmeExpected && seen(globexReceiver) == globexExpected
                        })
                    #expect(seen(acmeReceiver) == acmeExpected)
                    #expect(seen(globexReceiver) == globexExpected)
                    for (receiver, client, secret, other) in [
                        (acmeReceiver, "acme", acmeSecret, globexSecret),
                        (globexReceiver, "globex", globexSecret, acmeSecret),
                    ] {
                        for delivery in receiver.received {
                            #expect(delivery.json["client_id"] as? String == client)
                            #expect(delivery.eventID == delivery.json["id"] as? String)
                            #expect(delivery.contentType == "application/json")
                            #expect(
                                IndependentSignatureCheck.signers(
                                    of: delivery.signature, body: delivery.body, secrets: [secret, other]) == [secret])
                            // The payment's trace continues into the delivery.
                            let traceID = delivery.payment["trace_id"] as? String
                            #expect(traceID != nil && delivery.traceParent?.contains(traceID!) == true)
                            // No account number, only its last four digits.
                            #expect(!String(decoding: delivery.body, as: UTF8.self).contains("000123456789"))
                        }
                    }

                    // The feed: every status change of the client's payments exactly once, and nothing of the other's.
                    var listed: [String] = []
                    var cursor: String?
                    repeat {
                        let page = try await server.request(
                            .GET, "/v1/events?limit=4" + (cursor.map { "&after=\($0)" } ?? ""))
                        #expect(page.status == 200)
                        let data = page.json["data"] as? [[String: Any]] ?? []
                        listed += data.map {
                            "\((($0["data"] as? [String: Any])?["payment"] as? [String: Any])?["payment_id"] as? String ?? "") \($0["type"] as? String ?? "")"
                        }
                        cursor = page.json["next_cursor"] as? String
                        if page.json["has_more"] as? Bool != true { break }
                    } while true
                    #expect(listed.count == acmeExpected.count)
                    #expect(Set(listed) == acmeExpected)

                    // Another client's event, endpoint and redelivery are not found.
                    let globexEvent = try #require(globexReceiver.received.first?.eventID)
                    #expect(try await server.request(.GET, "/v1/events/\(globexEvent)").status == 404)
                    #expect(try await server.request(.POST, "/v1/events/\(globexEvent)/redeliver").status == 404)
                    let globexEndpoint = try #require(globex["id"] as? String)
                    #expect(try await server.request(.GET, "/v1/webhook_endpoints/\(globexEndpoint)").status == 404)
                    #expect(try await server.request(.DELETE, "/v1/webhook_endpoints/\(globexEndpoint)").status == 404)
                    let acmeList = try await server.request(.GET, "/v1/webhook_endpoints")
                    let listedIDs = (acmeList.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    #expect(listedIDs == [acme["id"] as? String])
                    #expect(!acmeList.text.contains("whsec_"), "a secret is shown only when it is made")
                }
            }
        }
    }

    @Test("An endpoint that answers 500 to its first attempts gets every event afterwards; attempts are listed")
    func failingEndpointGetsEverythingAfterwards() async throws {
        try await EventReceiver.with(failFirst: 3) { receiver in
            try await TestServer.with { server in
                _ = try await Self.register(server, url: receiver.url)
                let ids = try await Self.settledPayments(server, count: 4, key: TestClients.acmeKey, prefix: "R")
                let expected = Self.expectedEvents(ids)
                #expect(
                    await eventually(timeout: .seconds(20)) {
                        Set(receiver.received.map { "\($0.payment["payment_id"] as? String ?? "") \($0.type)" })
                            == expected
                    })
                #expect(receiver.attempts.values.allSatisfy { $0 >= 4 })
                let eventID = try #require(receiver.received.first?.eventID)
                let event = try await server.request(.GET, "/v1/events/\(eventID)")
                let attempts = event.json["delivery_attempts"] as? [[String: Any]] ?? []
                #expect(attempts.compactMap { $0["status_code"] as? Int } == [500, 500, 500, 204])
                #expect(attempts.first?["error"] as? String == "endpoint answered HTTP 500")

                // Redelivery on demand: the event comes again.
                let before = receiver.received.filter { $0.eventID == eventID }.count
                let redelivered = try await server.request(.POST, "/v1/events/\(eventID)/redeliver")
                #expect(redelivered.status == 202)
                #expect(redelivered.json["deliveries_queued"] as? Int == 1)
                #expect(await eventually { receiver.received.filter { $0.eventID == eventID }.count > before })
            }
        }
    }

    @Test("A host name is connected to at the address that was checked")
    func hostNamesArePinnedToTheCheckedAddress() async throws {
        try await EventReceiver.with { receiver in
            try await TestServer.with { server in
                let byName = receiver.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                _ = try await Self.register(server, url: byName, events: ["payment.completed"])
                let ids = try await Self.settledPayments(server, count: 2, key: TestClients.acmeKey, prefix: "P")
                #expect(
                    await eventually {
                        Set(receiver.received.compactMap { $0.payment["payment_id"] as? String }) == Set(ids)
                    })
            }
        }
    }

    @Test("A hanging endpoint holds only its own slots: another client's endpoint is served meanwhile")
    func hangingEndpointDoesNotDelayOthers() async throws {
        // Four slots, two per endpoint: were the hanging endpoint to take all four, its 21 deliveries would hold them
        // in rounds of 2 s timeouts, and the other endpoint's events would wait about ten seconds.
        var options = TestServer.Options()
        options.notifications.concurrency = 4
        options.notifications.perEndpointConcurrency = 2
        try await EventReceiver.with { slow in
            slow.delay.withLock { $0 = .seconds(5) }
            try await EventReceiver.with { fast in
                try await TestServer.with(options) { server in
                    _ = try await Self.register(server, url: slow.url)
                    _ = try await Self.register(server, url: fast.url, key: TestClients.globexKey)
                    // Twenty-one acme events pile up behind the hanging endpoint (2 in flight, each timing out at 2 s).
                    _ = try await Self.settledPayments(server, count: 7, key: TestClients.acmeKey, prefix: "H")
                    let started = ContinuousClock.now
                    let ids = try await Self.settledPayments(server, count: 2, key: TestClients.globexKey, prefix: "F")
                    #expect(
                        await eventually(timeout: .seconds(5)) {
                            Set(fast.received.map { "\($0.payment["payment_id"] as? String ?? "") \($0.type)" })
                                == Self.expectedEvents(ids)
                        })
                    #expect(ContinuousClock.now - started < .seconds(5))
                }
            }
        }
    }

    @Test("During a secret rotation's overlap every delivery carries both signatures")
    func rotationSignsWithBothSecrets() async throws {
        try await EventReceiver.with { receiver in
            try await TestServer.with { server in
                let endpoint = try await Self.register(server, url: receiver.url, events: ["payment.completed"])
                let id = try #require(endpoint["id"] as? String)
                let old = try #require(endpoint["secret"] as? String)
                let rotated = try await server.request(.POST, "/v1/webhook_endpoints/\(id)/rotate_secret")
                #expect(rotated.status == 200)
                let new = try #require(rotated.json["secret"] as? String)
                #expect(new != old)
                #expect(rotated.json["previous_secret_expires_at"] is String)
                let ids = try await Self.settledPayments(server, count: 2, key: TestClients.acmeKey, prefix: "S")
                #expect(await eventually { receiver.received.count == 2 })
                #expect(Set(receiver.received.map(\.type)) == ["payment.completed"], "the endpoint's filter holds")
                #expect(Set(receiver.received.compactMap { $0.payment["payment_id"] as? String }) == Set(ids))
                for delivery in receiver.received {
                    #expect(
                        Set(
                            IndependentSignatureCheck.signers(
                                of: delivery.signature, body: delivery.body, secrets: [old, new]))
                            == [old, new])
                }
                #expect(try await server.request(.DELETE, "/v1/webhook_endpoints/\(id)").status == 204)
                #expect(try await server.request(.GET, "/v1/webhook_endpoints/\(id)").status == 404)
            }
        }
    }

    @Test("An endpoint failing past the retry window is disabled, and the client is told in its feed")
    func endpointFailingPastTheWindowIsDisabled() async throws {
        var options = TestServer.Options()
        options.notifications.retry = RetryPolicy(
            base: .milliseconds(50), cap: .milliseconds(200), window: .seconds(2))
        try await EventReceiver.with(failFirst: Int.max) { receiver in
            try await TestServer.with(options) { server in
                let endpoint = try await Self.register(server, url: receiver.url)
                let id = try #require(endpoint["id"] as? String)
                _ = try await Self.settledPayments(server, count: 1, key: TestClients.acmeKey, prefix: "D")
                var status: String?
                for _ in 0..<200 {
                    status = try await server.request(.GET, "/v1/webhook_endpoints/\(id)").json["status"] as? String
                    if status == "disabled" { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(status == "disabled")
                let feed = try await server.request(.GET, "/v1/events?type=webhook_endpoint.disabled")
                let events = feed.json["data"] as? [[String: Any]] ?? []
                #expect(events.count == 1)
                #expect(
                    ((events.first?["data"] as? [String: Any])?["webhook_endpoint"] as? [String: Any])?["id"] as? String
                        == id)
                #expect(try server.metrics.expectCounter("client_webhook_endpoints_disabled_total").totalValue == 1)
                #expect(
                    try server.metrics.expectCounter("client_webhook_deliveries_total", [("outcome", "gave_up")])
                        .totalValue >= 1)
            }
        }
    }

    @Test("Private, loopback, link-local and metadata addresses, and plain http, are refused without the setting")
    func unsafeTargetsAreRefused() async throws {
        var options = TestServer.Options()
        options.notifications.targets = WebhookTargetPolicy(allowPrivate: false)
        try await TestServer.with(options) { server in
            for url in [
                "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hooks", "https://10.0.0.1/hooks",
                "https://127.0.0.1/hooks", "https://[::1]/hooks", "https://localhost/hooks", "https://2130706433/",
                "https://user:secret@93.184.216.34/hooks", "ftp://93.184.216.34/", "https://93.184.216.34/\u{202E}x",
            ] {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["url": url]), as: UTF8.self)
                let refused = try await server.request(.POST, "/v1/webhook_endpoints", body: body)
                #expect(refused.status == 422, "\(url)")
                #expect(refused.headers["Content-Type"].first == "application/problem+json")
                let errors = refused.json["errors"] as? [[String: Any]] ?? []
                #expect(errors.first?["pointer"] as? String == "/url")
                #expect(!refused.text.contains("secret"), "the URL's credentials are not echoed")
            }
            let accepted = try await server.request(
                .POST, "/v1/webhook_endpoints", body: #"{"url": "https://93.184.216.34/hooks"}"#)
            #expect(accepted.status == 201)
            let invalid = try await server.request(
                .POST, "/v1/webhook_endpoints",
                body:
                    #"{"url": "https://93.184.216.34/hooks", "events": ["payment.sent", "payment.failed", "payment.failed"], "colour": 1}"#
            )
            #expect(invalid.status == 422)
            let pointers = (invalid.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["pointer"] as? String }
            #expect(Set(pointers) == ["/colour", "/events/0", "/events/2"])
        }
    }
}
