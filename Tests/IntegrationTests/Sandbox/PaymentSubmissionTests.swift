import BankSandbox
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `POST /v1/payments` and `GET /v1/payments/{id}`: auth, validation, idempotency and duplicate detection.
struct PaymentSubmissionTests {
    @Test func acceptsAPaymentAndReplaysItForTheSameIdempotencyKey() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let token = try await client.accessToken()
            let body = SandboxClient.paymentBody(paymentID: "pay_1", clientRef: "INV-1")
            let first = try await client.submitPayment(
                idempotencyKey: "pay_1",
                body: body,
                auth: ("Authorization", "Bearer \(token)")
            )
            #expect(first.status == 201)
            let bankRef = try #require(try first.json()["bank_ref"] as? String)
            #expect(bankRef.hasPrefix("BNK-"))
            #expect(bankRef.count == 16)
            #expect(bankRef.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isLowercase })
            #expect(try first.json()["status"] as? String == "pending")

            let replay = try await client.submitPayment(
                idempotencyKey: "pay_1",
                body: body,
                auth: ("Authorization", "Bearer \(token)")
            )
            #expect(replay.status == 201)
            #expect(replay.body == first.body)

            let stats = try await client.stats()
            #expect(stats.payments == 1)
            #expect(stats.idempotentReplays == 1)
            #expect(stats.duplicateSubmissions == 0)
        }
    }

    @Test func treatsReorderedKeysAsTheSameBody() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let first = try await client.submitPayment(
                idempotencyKey: "pay_order",
                body: #"{"payment_id":"pay_order","amount":5,"currency":"USD","client_ref":"R-1","recipient":{"a":1}}"#
            )
            let second = try await client.submitPayment(
                idempotencyKey: "pay_order",
                body: #"{"recipient":{"a":1},"client_ref":"R-1","currency":"USD","amount":5,"payment_id":"pay_order"}"#
            )
            #expect(first.status == 201)
            #expect(second.body == first.body)
        }
    }

    @Test func refusesTheSameIdempotencyKeyWithADifferentBodyWith409() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let first = try await client.submitPayment(
                idempotencyKey: "pay_2",
                body: SandboxClient.paymentBody(paymentID: "pay_2", clientRef: "INV-2", amount: 100)
            )
            #expect(first.status == 201)
            let conflict = try await client.submitPayment(
                idempotencyKey: "pay_2",
                body: SandboxClient.paymentBody(paymentID: "pay_2", clientRef: "INV-2", amount: 200)
            )
            #expect(conflict.status == 409)
            #expect(try await client.stats().payments == 1)
        }
    }

    @Test func refusesARequestWithoutCredentialsWith401() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await client.submitPayment(
                idempotencyKey: "pay_3",
                body: SandboxClient.paymentBody(paymentID: "pay_3", clientRef: "INV-3"),
                auth: nil
            )
            #expect(response.status == 401)
            #expect(try response.json()["error"] as? String == "invalid_token")

            let badToken = try await client.submitPayment(
                idempotencyKey: "pay_3",
                body: SandboxClient.paymentBody(paymentID: "pay_3", clientRef: "INV-3"),
                auth: ("Authorization", "Bearer not-a-token")
            )
            #expect(badToken.status == 401)
            let badKey = try await client.submitPayment(
                idempotencyKey: "pay_3",
                body: SandboxClient.paymentBody(paymentID: "pay_3", clientRef: "INV-3"),
                auth: ("X-API-Key", "wrong")
            )
            #expect(badKey.status == 401)
            #expect(try await client.stats().payments == 0)
        }
    }

    @Test func requiresAnIdempotencyKey() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await client.submitPayment(
                idempotencyKey: nil,
                body: SandboxClient.paymentBody(paymentID: "pay_4", clientRef: "INV-4")
            )
            #expect(response.status == 400)
            #expect(try response.json()["reason"] is String)
        }
    }

    @Test(arguments: [
        (#"{"amount":1,"currency":"USD","client_ref":"C","recipient":{}}"#, "payment_id"),
        (#"{"payment_id":"p","amount":0,"currency":"USD","client_ref":"C","recipient":{}}"#, "amount"),
        (#"{"payment_id":"p","amount":12.5,"currency":"USD","client_ref":"C","recipient":{}}"#, "amount"),
        (#"{"payment_id":"p","amount":"12","currency":"USD","client_ref":"C","recipient":{}}"#, "amount"),
        (#"{"payment_id":"p","amount":1,"currency":"US","client_ref":"C","recipient":{}}"#, "currency"),
        (#"{"payment_id":"p","amount":1,"currency":"USD","client_ref":7,"recipient":{}}"#, "client_ref"),
        (#"{"payment_id":"p","amount":1,"currency":"USD","client_ref":"C"}"#, "recipient"),
        (#"not json"#, "JSON"),
    ])
    func refusesAnInvalidBodyWith400NamingTheField(body: String, field: String) async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await client.submitPayment(idempotencyKey: "pay_invalid", body: body)
            #expect(response.status == 400)
            let reason = try #require(try response.json()["reason"] as? String)
            #expect(reason.contains(field))
            #expect(try await client.stats().payments == 0)
        }
    }

    @Test func countsAnEndToEndReferenceSeenUnderAnotherPaymentIDAsADuplicateButAcceptsIt() async throws {
        try await SandboxHarness.withSandbox { _, client in
            func body(_ paymentID: String, clientRef: String, endToEnd: String) -> String {
                SandboxClient.paymentBody(paymentID: paymentID, clientRef: clientRef)
                    .replacingOccurrences(of: #""client_ref""#, with: #""end_to_end_id": "\#(endToEnd)", "client_ref""#)
            }
            let first = try await client.submitPayment(
                idempotencyKey: "pay_5", body: body("pay_5", clientRef: "INV-5", endToEnd: "E2E-5"))
            let second = try await client.submitPayment(
                idempotencyKey: "pay_6", body: body("pay_6", clientRef: "INV-6", endToEnd: "E2E-5"))
            #expect(first.status == 201)
            #expect(second.status == 201)
            // The same client_ref from two of the sender's clients is not a duplicate: it is remittance information.
            let third = try await client.submitPayment(
                idempotencyKey: "pay_7", body: body("pay_7", clientRef: "INV-5", endToEnd: "E2E-7"))
            #expect(third.status == 201)
            let stats = try await client.stats()
            #expect(stats.payments == 3)
            #expect(stats.duplicateSubmissions == 1)
        }
    }

    @Test func reportsStatusAdvancingFromPendingToCompleted() async throws {
        // Slow enough that the first read reliably sees the payment before it settles, even on a loaded machine.
        var configuration = SandboxHarness.configuration()
        configuration.processingDelay = .seconds(2)
        configuration.settlementDelay = .milliseconds(500)
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let accepted = try await client.submitPayment("pay_7", clientRef: "INV-7")
            let bankRef = try accepted.json()["bank_ref"] as? String

            let initial = try await client.paymentStatus("pay_7")
            #expect(initial.status == 200)
            #expect(try initial.json()["bank_ref"] as? String == bankRef)
            #expect(["pending", "processing"].contains(try initial.json()["status"] as? String))

            let completed = try await SandboxHarness.eventually {
                let response = try await client.paymentStatus("pay_7")
                return try response.json()["status"] as? String == "completed" ? response : nil
            }
            let json = try #require(try completed?.json())
            #expect(json["bank_ref"] as? String == bankRef)
            #expect(json["return_code"] is NSNull)
        }
    }

    @Test func answers404ForAnUnknownPayment() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await client.paymentStatus("nope")
            #expect(response.status == 404)
        }
    }

    @Test func servesHealthAndStatsWithoutAuth() async throws {
        try await SandboxHarness.withSandbox { sandbox, client in
            #expect(try await client.send(.GET, "/healthz").status == 200)
            let stats = try await client.send(.GET, "/sandbox/stats")
            #expect(stats.status == 200)
            let keys = Set(try stats.json().keys)
            #expect(
                keys == [
                    "payments", "duplicate_submissions", "idempotent_replays", "webhooks_sent", "webhooks_failed",
                    "tokens_issued", "webhooks_dropped", "late_returns", "ambiguous_accepts",
                ]
            )
            #expect(await sandbox.stats() == SandboxStats())
        }
    }
}
