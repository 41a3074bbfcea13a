import Foundation
import Testing

@Suite("Logs of a full payment: correlated, and free of secrets")
struct LogHygieneTests {
    @Test(
        "Every line about a payment carries payment_id and client_ref; no line holds a key, secret, token, account number or sealed value"
    )
    func logsOfAFullPayment() async throws {
        let options = TestServer.Options.embedded(logLevel: .trace)
        let lines = try await TestServer.with(options) { server in
            let created = try await server.createPayment(clientRef: "LOG-1")
            let id = try #require(created.json.string("payment_id"))
            _ = try await server.waitForStatus(id, "completed")
            _ = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: id, status: "returned", returnCode: "R01"))
            _ = try await server.waitForStatus(id, "returned")
            // A refused request, so that refusal lines are checked too.
            _ = try await server.request(.GET, "/v1/payments/\(id)", key: "sk_wrong_0123456789abcdef")
            _ = try await server.sendWebhook(
                PaymentBodies.webhook(paymentID: id, status: "completed"), secret: "whsec_attacker")
            try await Task.sleep(for: .milliseconds(200))
            return (id, server.logs.lines)
        }
        let (id, logLines) = lines
        #expect(logLines.count > 5)
        var aboutPayment = 0
        for line in logLines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object["ts"] is String && object["level"] is String && object["msg"] is String, "\(line)")
            if line.contains(id) {
                aboutPayment += 1
                #expect(object["payment_id"] as? String == id, "no payment_id: \(line)")
                #expect(object["client_ref"] as? String == "LOG-1", "no client_ref: \(line)")
            }
            for secret in [
                TestClients.acmeKey, "sk_wrong_0123456789abcdef", TestClients.webhookSecret, "whsec_attacker",
                "sandbox-secret", "000123456789", "test-1:", Data(repeating: 7, count: 32).base64EncodedString(),
                Data(repeating: 9, count: 32).base64EncodedString(),
            ] {
                #expect(!line.contains(secret), "secret in log: \(line)")
            }
            #expect(
                line.range(of: "[0-9a-fA-F]{64}", options: .regularExpression) == nil,
                "token-like value in log: \(line)")
            #expect(!line.lowercased().contains("bearer "), "credential in log: \(line)")
        }
        #expect(aboutPayment >= 4)
        #expect(logLines.contains { $0.contains("\"msg\":\"Payment initiated\"") })
        #expect(logLines.contains { $0.contains("\"msg\":\"Payment completed\"") })
        #expect(logLines.contains { $0.contains("\"msg\":\"Payment returned\"") })
    }
}
