import BankSandbox
import Foundation
import PaymentsSupport
import Testing

/// Reading faults from the environment and from JSON.
struct SandboxFaultsTests {
    @Test func readsEveryVariableFromTheEnvironment() throws {
        let faults = try SandboxFaults(
            environment: Environment([
                "SANDBOX_ERROR_RATE": "0.1",
                "SANDBOX_HANG_RATE": "0.2",
                "SANDBOX_LATENCY_MS": "30",
                "SANDBOX_RATE_LIMIT_RATE": "0.3",
                "SANDBOX_REJECT_RATE": "0.4",
                "SANDBOX_RETURN_RATE": "0.5",
                "SANDBOX_DUPLICATE_WEBHOOK_RATE": "0.6",
                "SANDBOX_REORDER_WEBHOOKS": "true",
                "SANDBOX_WEBHOOK_DELAY_MS": "70",
                "SANDBOX_TOKEN_TTL_SECONDS": "60",
                "SANDBOX_REQUIRE_CLIENT_CERT": "1",
                "UNRELATED": "x",
            ]),
            base: .none
        )
        #expect(
            faults
                == SandboxFaults(
                    errorRate: 0.1,
                    hangRate: 0.2,
                    latencyMs: 30,
                    rateLimitRate: 0.3,
                    rejectRate: 0.4,
                    returnRate: 0.5,
                    duplicateWebhookRate: 0.6,
                    reorderWebhooks: true,
                    webhookDelayMs: 70,
                    tokenTTLSeconds: 60,
                    requireClientCert: true
                )
        )
    }

    @Test func keepsBaseValuesForUnsetOrEmptyVariables() throws {
        let base = SandboxFaults(errorRate: 0.25, latencyMs: 10)
        let faults = try SandboxFaults(
            environment: Environment(["SANDBOX_ERROR_RATE": "", "SANDBOX_RETURN_RATE": " 1 "]),
            base: base
        )
        #expect(faults == SandboxFaults(errorRate: 0.25, latencyMs: 10, returnRate: 1))
    }

    @Test(arguments: [
        ("SANDBOX_ERROR_RATE", "1.5"),
        ("SANDBOX_HANG_RATE", "-0.1"),
        ("SANDBOX_RATE_LIMIT_RATE", "often"),
        ("SANDBOX_RETURN_RATE", "nan"),
        ("SANDBOX_LATENCY_MS", "-5"),
        ("SANDBOX_WEBHOOK_DELAY_MS", "1.5"),
        ("SANDBOX_TOKEN_TTL_SECONDS", "0"),
        ("SANDBOX_REORDER_WEBHOOKS", "maybe"),
        ("SANDBOX_REQUIRE_CLIENT_CERT", "2"),
    ])
    func namesTheVariableWhenAValueIsInvalid(variable: String, value: String) {
        #expect {
            _ = try SandboxFaults(environment: Environment([variable: value]), base: .none)
        } throws: { error in
            "\(error)".contains(variable)
        }
    }

    @Test func doesNotEchoTheRejectedValue() {
        #expect {
            _ = try SandboxFaults(environment: Environment(["SANDBOX_LATENCY_MS": "sk_live_mistake"]), base: .none)
        } throws: { error in
            "\(error)".contains("SANDBOX_LATENCY_MS") && !"\(error)".contains("sk_live_mistake")
        }
    }

    @Test func decodesPartialSnakeCaseJSONOverDefaults() throws {
        let faults = try JSONDecoder().decode(
            SandboxFaults.self,
            from: Data(#"{"return_rate": 0.5, "webhook_delay_ms": 20}"#.utf8)
        )
        #expect(faults == SandboxFaults(returnRate: 0.5, webhookDelayMs: 20))
        #expect(SandboxFaults.none.tokenTTLSeconds == 3600)
    }

    @Test func refusesOutOfRangeJSON() {
        #expect(throws: ConfigurationError.self) {
            _ = try JSONDecoder().decode(SandboxFaults.self, from: Data(#"{"reject_rate": 2}"#.utf8))
        }
    }

    @Test func encodesSnakeCaseKeysRoundTrip() throws {
        let faults = SandboxFaults(
            errorRate: 0.5, reorderWebhooks: true, tokenTTLSeconds: 120, dropWebhookRate: 0.3, lateReturnRate: 0.2,
            lateReturnAfterMs: 1500, ambiguousAcceptRate: 0.1
        )
        let data = try JSONEncoder().encode(faults)
        let keys = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]).keys
        #expect(
            Set(keys) == [
                "error_rate", "hang_rate", "latency_ms", "rate_limit_rate", "reject_rate", "return_rate",
                "duplicate_webhook_rate", "reorder_webhooks", "webhook_delay_ms", "token_ttl_seconds",
                "require_client_cert", "drop_webhook_rate", "late_return_rate", "late_return_after_ms",
                "ambiguous_accept_rate",
            ]
        )
        #expect(try JSONDecoder().decode(SandboxFaults.self, from: data) == faults)
    }

    @Test func statsUseSnakeCaseKeys() throws {
        var stats = SandboxStats()
        stats.payments = 3
        stats.duplicateSubmissions = 1
        let data = try JSONEncoder().encode(stats)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int])
        #expect(object["payments"] == 3)
        #expect(object["duplicate_submissions"] == 1)
        #expect(object["webhooks_sent"] == 0)
        for key in ["webhooks_dropped", "late_returns", "ambiguous_accepts"] { #expect(object[key] == 0, "\(key)") }
    }

    @Test func configurationDescriptionHidesSecrets() {
        let configuration = BankSandboxConfiguration(
            webhookURL: "http://user:pw@example.test/hook",
            webhookSecret: "whsec_secret_value",
            clientSecret: "client-secret-value",
            apiKey: "api-key-value"
        )
        let text = "\(configuration)"
        for secret in ["whsec_secret_value", "client-secret-value", "api-key-value", "user:pw"] {
            #expect(!text.contains(secret))
        }
    }
}
