import Foundation
import PaymentsCore
import PaymentsSupport
import Testing

@testable import PaymentsDemo

@Suite("payments demo: counting notifications")
struct DemoNotificationLogTests {
    let secret = "whsec_demo_test"
    let path = "/demo/run1"

    /// A delivery of an event about `paymentID` in `status`, signed with `secret` at `signedAt`.
    func delivery(
        eventID: String, paymentID: String, status: String, clientRef: String = "DEMO-run1-0001",
        updatedAt: Date, receivedAt: Date, secret: String? = nil, path: String? = nil
    ) -> DemoWebhookReceiver.Delivery {
        let body = JSONValue.object([
            "id": .string(eventID), "type": .string("payment.\(status)"), "created_at": .string("x"),
            "client_id": .string("acme"),
            "data": .object([
                "payment": .object([
                    "payment_id": .string(paymentID), "client_ref": .string(clientRef), "status": .string(status),
                    "updated_at": .string(Timestamp.format(updatedAt)),
                ])
            ]),
        ]).serialized
        let signature = ClientWebhookSignature.header(
            secrets: [secret ?? self.secret], timestamp: Int64(receivedAt.timeIntervalSince1970), body: body)
        return DemoWebhookReceiver.Delivery(
            method: .POST, path: path ?? self.path,
            headers: [
                "Payments-Event-Id": eventID, "Payments-Signature": signature, "Content-Type": "application/json",
            ],
            body: body, receivedAt: receivedAt)
    }

    func payment(_ id: String, _ status: String) throws -> DemoPaymentView {
        try JSONDecoder().decode(
            DemoPaymentView.self, from: Data(#"{"payment_id":"\#(id)","status":"\#(status)"}"#.utf8))
    }

    @Test("Answers: 204 for a valid signature, 400 for a bad one, 503 before the secret is known, 404 and 405")
    func answers() {
        let log = DemoNotificationLog(path: path, clientRefPrefix: "DEMO-run1-")
        let now = Date()
        let valid = delivery(eventID: "e1", paymentID: "p1", status: "completed", updatedAt: now, receivedAt: now)
        #expect(log.receive(valid) == .serviceUnavailable)
        log.verify(with: secret)
        #expect(log.receive(valid) == .noContent)
        let forged = delivery(
            eventID: "e2", paymentID: "p1", status: "failed", updatedAt: now, receivedAt: now, secret: "whsec_guess")
        #expect(log.receive(forged) == .badRequest)
        let elsewhere = delivery(
            eventID: "e3", paymentID: "p1", status: "completed", updatedAt: now, receivedAt: now, path: "/other")
        #expect(log.receive(elsewhere) == .notFound)
        let get = DemoWebhookReceiver.Delivery(
            method: .GET, path: path, headers: [:], body: [], receivedAt: now)
        #expect(log.receive(get) == .methodNotAllowed)

        let counts = log.notifications(for: [], endpointURL: "http://127.0.0.1:1/demo/run1")
        #expect(counts.verified == 1)
        #expect(counts.rejected == 1)
        #expect(counts.rejectedByReason == ["wrong signature": 1])
        #expect(counts.received == 1)
    }

    @Test("Events are deduplicated by id; a settled payment counts as notified only in its final status")
    func counting() throws {
        let log = DemoNotificationLog(path: path, clientRefPrefix: "DEMO-run1-")
        log.verify(with: secret)
        // Whole seconds, which the event's millisecond timestamp keeps exactly.
        let settledAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) - 2)
        let arrived = settledAt.addingTimeInterval(0.25)
        let events = [
            delivery(eventID: "e1", paymentID: "P1", status: "initiated", updatedAt: settledAt, receivedAt: arrived),
            delivery(eventID: "e2", paymentID: "p1", status: "completed", updatedAt: settledAt, receivedAt: arrived),
            // A re-delivery of e2, a bit later: counted once, its first arrival kept.
            delivery(
                eventID: "e2", paymentID: "p1", status: "completed", updatedAt: settledAt,
                receivedAt: arrived.addingTimeInterval(1)),
            delivery(eventID: "e3", paymentID: "p2", status: "processing", updatedAt: settledAt, receivedAt: arrived),
            // Another run's payment of the same client.
            delivery(
                eventID: "e4", paymentID: "p9", status: "completed", clientRef: "INV-7", updatedAt: settledAt,
                receivedAt: arrived),
        ]
        for event in events { #expect(log.receive(event) == .noContent) }
        #expect(log.eventCount == 3)
        #expect(log.unnotified([("p1", "completed"), ("p2", "failed"), ("p3", "returned")]) == 2)

        let counts = log.notifications(
            for: [try payment("p1", "completed"), try payment("p2", "failed"), try payment("p3", "processing")],
            endpointURL: "http://127.0.0.1:1/demo/run1")
        #expect(counts.received == 3)
        #expect(counts.redelivered == 1)
        #expect(counts.otherEvents == 1)
        #expect(counts.verified == 5)
        #expect(counts.rejected == 0)
        #expect(counts.settled == 2, "p3 is not terminal")
        #expect(counts.notified == 1, "p2 failed, but only its processing was told")
        #expect(counts.notNotified == 1)
        #expect(counts.lag.count == 1)
        #expect(counts.lag.p50 == .milliseconds(250))
    }

    @Test("The summary says how many settled payments were notified and how many signatures were bad")
    func summaryText() {
        var summary = DemoSummary(runID: "run1", url: "http://127.0.0.1:8080")
        #expect(!summary.text.contains("Notifications"), "nothing when off")
        summary.notifications = .unavailable(
            reason: "the server does not push events (POST /v1/webhook_endpoints answered HTTP 404)")
        #expect(summary.succeeded)
        #expect(
            summary.text.split(separator: "\n").filter { $0.contains("Notifications") } == [
                "Notifications: not checked: the server does not push events (POST /v1/webhook_endpoints answered HTTP 404)"
            ])

        var notifications = DemoSummary.Notifications(endpointURL: "http://127.0.0.1:40125/demo/run1")
        notifications.received = 150
        notifications.verified = 150
        notifications.settled = 50
        notifications.notified = 48
        notifications.lag = LatencyStatistics([.milliseconds(12), .milliseconds(30)])
        summary.notifications = .checked(notifications)
        #expect(summary.text.contains("Notifications: notified 48 of 50 settled payments; 0 bad signatures\n"))
        #expect(summary.text.contains("notification lag"))
        #expect(summary.failures == ["2 settled payments were not notified of their final status"])

        notifications.notified = 50
        notifications.rejectedByReason = ["wrong signature": 1]
        notifications.endpointLeftBehind = "0b6d2c1e-54a4-4f0e-9a53-2f3c3f1f7d10"
        summary.notifications = .checked(notifications)
        #expect(summary.text.contains("Notifications: notified 50 of 50 settled payments; 1 bad signature\n"))
        #expect(summary.text.contains("wrong signature 1"))
        #expect(summary.text.contains("DELETE /v1/webhook_endpoints/0b6d2c1e-54a4-4f0e-9a53-2f3c3f1f7d10"))
        #expect(summary.failures == ["1 notification with a bad signature"])
    }

    @Test("Notifications are on by default only for a server on loopback")
    func defaultOnLoopback() throws {
        for url in ["http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "https://127.1.2.3"] {
            #expect(try DemoConfiguration(url: url, apiKey: "k").notifications, "\(url)")
        }
        for url in [
            "http://payments:8080", "https://api.example.com", "http://10.0.0.7:8080", "http://127.0.0.1.nip.io",
        ] {
            #expect(try !DemoConfiguration(url: url, apiKey: "k").notifications, "\(url)")
        }
        #expect(try !DemoConfiguration(apiKey: "k", notifications: false).notifications)
        #expect(try DemoConfiguration(url: "http://payments:8080", apiKey: "k", notifications: true).notifications)
        #expect(throws: ConfigurationError.self) { try DemoConfiguration(apiKey: "k", notificationGrace: .seconds(-1)) }
    }
}
