import BankSandbox
import Foundation
import Testing

/// Signed webhooks, delivered to a real receiver on loopback.
struct WebhookDeliveryTests {
    /// Checks `Bank-Signature` against an HMAC computed here, independently of the sandbox.
    private static func hasValidSignature(_ delivery: WebhookInbox.Delivery, secret: String) -> Bool {
        guard let header = delivery.signature else { return false }
        var timestamp: String?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return false }
            if pair[0] == "t" { timestamp = pair[1] }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, let seconds = Int(timestamp),
            abs(Date().timeIntervalSince1970 - TimeInterval(seconds)) < 300
        else { return false }
        let expected = SandboxHarness.hmacSHA256Hex(secret: secret, message: Data("\(timestamp).".utf8) + delivery.body)
        return signatures.contains(expected)
    }

    /// Waits until `count` deliveries for `paymentID` have arrived.
    static func waitForDeliveries(
        _ count: Int,
        of paymentID: String,
        in inbox: WebhookInbox
    ) async throws -> [WebhookInbox.Delivery] {
        let deliveries = try await SandboxHarness.eventually {
            let deliveries = await inbox.deliveries(for: paymentID)
            return deliveries.count >= count ? deliveries : nil
        }
        if let deliveries { return deliveries }
        return await inbox.deliveries(for: paymentID)
    }

    @Test func deliversProcessingThenCompletedWithValidSignatures() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(webhookURL: url)
            try await SandboxHarness.withSandbox(configuration) { _, client in
                let accepted = try await client.submitPayment("pay_w1", clientRef: "INV-W1")
                let bankRef = try accepted.json()["bank_ref"] as? String

                let deliveries = try await Self.waitForDeliveries(2, of: "pay_w1", in: inbox)
                try #require(deliveries.count == 2)
                #expect(deliveries.map(\.status) == ["processing", "completed"])
                for delivery in deliveries {
                    #expect(Self.hasValidSignature(delivery, secret: BankSandboxConfiguration.defaultWebhookSecret))
                    #expect(delivery.contentType == "application/json")
                    let event = try #require(delivery.event)
                    #expect(event.bankRef == bankRef)
                    #expect(event.eventID.hasPrefix("evt_"))
                    #expect(event.returnCode == nil)
                    #expect(event.reason == nil)
                    // Present as null, not omitted.
                    #expect(delivery.keys.isSuperset(of: ["return_code", "reason"]))
                    #expect(event.occurredAt.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
                }
                #expect(deliveries[0].eventID != deliveries[1].eventID)

                let stats = try #require(
                    try await SandboxHarness.eventually {
                        let stats = try await client.stats()
                        return stats.webhooksSent == 2 ? stats : nil
                    }
                )
                #expect(stats.webhooksFailed == 0)
            }
        }
    }

    @Test func returnRateOneSettlesAsReturnedWithAnRCode() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(faults: SandboxFaults(returnRate: 1), webhookURL: url)
            try await SandboxHarness.withSandbox(configuration) { _, client in
                _ = try await client.submitPayment("pay_w2", clientRef: "INV-W2")
                let deliveries = try await Self.waitForDeliveries(2, of: "pay_w2", in: inbox)
                try #require(deliveries.count == 2)
                #expect(deliveries.map(\.status) == ["processing", "returned"])
                let returned = try #require(deliveries[1].event)
                let reasons = [
                    "R01": "Insufficient funds", "R02": "Account closed", "R03": "No account",
                    "R04": "Invalid account number", "R10": "Customer advises not authorized",
                    "R29": "Corporate customer advises not authorized",
                ]
                let code = try #require(returned.returnCode)
                #expect(reasons[code] == returned.reason)
                #expect(Self.hasValidSignature(deliveries[1], secret: BankSandboxConfiguration.defaultWebhookSecret))

                let status = try await client.paymentStatus("pay_w2").json()
                #expect(status["status"] as? String == "returned")
                #expect(status["return_code"] as? String == code)
            }
        }
    }

    @Test func duplicateWebhookRateOneDeliversEachEventTwiceWithTheSameID() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(
                faults: SandboxFaults(duplicateWebhookRate: 1),
                webhookURL: url
            )
            try await SandboxHarness.withSandbox(configuration) { _, client in
                _ = try await client.submitPayment("pay_w3", clientRef: "INV-W3")
                let deliveries = try await Self.waitForDeliveries(4, of: "pay_w3", in: inbox)
                try #require(deliveries.count == 4)
                #expect(deliveries.map(\.status) == ["processing", "processing", "completed", "completed"])
                #expect(deliveries[0].eventID == deliveries[1].eventID)
                #expect(deliveries[2].eventID == deliveries[3].eventID)
                #expect(deliveries[0].body == deliveries[1].body)
            }
        }
    }

    @Test func reorderWebhooksSendsTheFinalEventFirst() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(
                faults: SandboxFaults(reorderWebhooks: true),
                webhookURL: url
            )
            try await SandboxHarness.withSandbox(configuration) { _, client in
                _ = try await client.submitPayment("pay_w4", clientRef: "INV-W4")
                let deliveries = try await Self.waitForDeliveries(2, of: "pay_w4", in: inbox)
                #expect(deliveries.map(\.status) == ["completed", "processing"])
            }
        }
    }

    @Test func redeliversAfterAFailedDelivery() async throws {
        try await SandboxHarness.withWebhookReceiver(failFirst: 1) { url, inbox in
            let configuration = SandboxHarness.configuration(webhookURL: url)
            try await SandboxHarness.withSandbox(configuration) { _, client in
                _ = try await client.submitPayment("pay_w5", clientRef: "INV-W5")
                // The first attempt is refused with 500, retried 0.5 s later, then the final event follows in order.
                let deliveries = try await Self.waitForDeliveries(3, of: "pay_w5", in: inbox)
                #expect(deliveries.map(\.status) == ["processing", "processing", "completed"])
                #expect(deliveries[0].eventID == deliveries[1].eventID)
                let stats = try await SandboxHarness.eventually {
                    let stats = try await client.stats()
                    return stats.webhooksSent == 2 ? stats : nil
                }
                #expect(stats?.webhooksFailed == 0)
            }
        }
    }

    @Test func signsWithTheFirstSecretDuringRotation() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            let configuration = SandboxHarness.configuration(webhookURL: url, webhookSecret: "whsec_new,whsec_old")
            try await SandboxHarness.withSandbox(configuration) { _, client in
                _ = try await client.submitPayment("pay_w6", clientRef: "INV-W6")
                let deliveries = try await Self.waitForDeliveries(1, of: "pay_w6", in: inbox)
                let first = try #require(deliveries.first)
                #expect(Self.hasValidSignature(first, secret: "whsec_new"))
                #expect(!Self.hasValidSignature(first, secret: "whsec_old"))
            }
        }
    }

    @Test func sendsWebhooksToAURLSetAfterStart() async throws {
        try await SandboxHarness.withWebhookReceiver { url, inbox in
            try await SandboxHarness.withSandbox { sandbox, client in
                await sandbox.setWebhookURL(url)
                _ = try await client.submitPayment("pay_w7", clientRef: "INV-W7")
                let deliveries = try await Self.waitForDeliveries(2, of: "pay_w7", in: inbox)
                #expect(deliveries.map(\.status) == ["processing", "completed"])
            }
        }
    }

    @Test func shutsDownPromptlyWhileDeliveriesAreRetrying() async throws {
        // Nothing listens on port 1, so every attempt fails and the dispatcher sits in its backoff.
        let configuration = SandboxHarness.configuration(webhookURL: "http://127.0.0.1:1/unreachable")
        let shutdownStarted = try await SandboxHarness.withSandbox(configuration) { _, client in
            let accepted = try await client.submitPayment("pay_w8", clientRef: "INV-W8")
            #expect(accepted.status == 201)
            try await Task.sleep(for: .milliseconds(300))
            return ContinuousClock.now
        }
        #expect(ContinuousClock.now - shutdownStarted < .seconds(3))
    }

    @Test func theIndependentVerifierMatchesAKnownHMACVector() {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"secret",b"1700000000.{}",hashlib.sha256).hexdigest())'
        let expected = "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        #expect(SandboxHarness.hmacSHA256Hex(secret: "secret", message: Data("1700000000.{}".utf8)) == expected)
    }
}
