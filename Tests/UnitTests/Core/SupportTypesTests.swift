import Foundation
import PaymentsCore
import PaymentsSupport
import Testing

@Suite("Retry policy, cursors, trace context, API keys, Retry-After")
struct SupportTypesTests {
    @Test("Full-jitter backoff stays within [floor, min(cap, base·2ⁿ)] and never past the window")
    func backoffBounds() throws {
        let policy = RetryPolicy(base: .milliseconds(100), cap: .seconds(2), window: .seconds(60))
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...10 {
            let ceiling = min(2000, 100 << (attempt - 1))
            for _ in 0..<200 {
                let delay = try #require(policy.delay(afterAttempt: attempt, elapsed: .seconds(1), using: &generator))
                #expect((0...Int64(ceiling)).contains(delay.wholeMilliseconds))
            }
            #expect(
                policy.delay(afterAttempt: attempt, elapsed: .zero, floor: .seconds(3), using: &generator)
                    == .seconds(3))
        }
        // The last retry comes as the window closes, and none after it.
        #expect(
            policy.delay(afterAttempt: 3, elapsed: .seconds(59), floor: .seconds(5), using: &generator) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, elapsed: .seconds(60), using: &generator) == nil)
        #expect(!policy.isSpent(elapsed: .milliseconds(59_999)))
        #expect(policy.isSpent(elapsed: .seconds(60)))
    }

    @Test(
        "The documented retry windows are what the policies do: retries span exactly the window",
        arguments: [(RetryPolicy.bankSubmission, Int64(1800)), (RetryPolicy.erpUpdate, Int64(3600))]
    )
    func retryWindowIsTrue(policy: RetryPolicy, documentedSeconds: Int64) {
        #expect(policy.window == .seconds(documentedSeconds))
        // The slowest jitter and seeded random ones all keep retrying until the window's end, and stop there.
        func retriedFor(using generator: inout some RandomNumberGenerator) -> Duration {
            var elapsed = Duration.zero
            var attempts = 1
            while let delay = policy.delay(afterAttempt: attempts, elapsed: elapsed, using: &generator) {
                elapsed += max(delay, .milliseconds(1))
                attempts += 1
            }
            return elapsed
        }
        var slowest = SlowestRandom()
        #expect(retriedFor(using: &slowest) == .seconds(documentedSeconds))
        for seed in [UInt64(1), 2, 3] {
            var generator = SplitMixRandom(seed: seed)
            #expect(retriedFor(using: &generator) == .seconds(documentedSeconds), "seed \(seed)")
        }
        #expect(policy.isSpent(elapsed: .seconds(documentedSeconds)))
    }

    @Test("Buffered random ids: version 4 UUIDs, trace contexts, never repeated")
    func secureRandom() {
        // More ids than one 4 KiB refill holds, so the refill and the split across it are exercised.
        var seen = Set<UUID>()
        for _ in 0..<1_000 {
            let id = SecureRandom.uuid()
            let text = id.uuidString.lowercased()
            #expect(Array(text)[14] == "4", "version nibble of \(text)")
            #expect("89ab".contains(Array(text)[19]), "variant of \(text)")
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
        let odd = SecureRandom.bytes(4_099)
        #expect(odd.count == 4_099)
        #expect(Set(odd).count > 200, "bytes spread over the whole range")
        var contexts = Set<String>()
        for _ in 0..<200 {
            let parent = TraceParent.random()
            #expect(TraceParent(parent.description) == parent)
            contexts.insert(parent.traceID)
        }
        #expect(contexts.count == 200)
    }

    @Test("A cursor survives its token and garbage is refused")
    func cursorRoundTrip() {
        let cursor = PaymentCursor(createdAtMicros: 1_700_000_000_123_456, id: UUID())
        #expect(PaymentCursor(token: cursor.token) == cursor)
        #expect(PaymentCursor(token: "%%%") == nil)
        #expect(PaymentCursor(token: "aGVsbG8") == nil)
    }

    @Test("traceparent parsing follows W3C Trace Context")
    func traceParent() {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        #expect(TraceParent(header)?.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceParent(header)?.description == header)
        #expect(TraceParent("00-00000000000000000000000000000000-00f067aa0ba902b7-01") == nil)
        #expect(TraceParent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == nil)
        #expect(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7") == nil)
        let random = TraceParent.random()
        #expect(TraceParent(random.description) == random)
    }

    @Test(
        "A payment's trace id is the second field of its stored traceparent",
        arguments: [
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"),
            ("01-abc-def-01", "abc"), ("00-4bf92f3577b34da6a3ce929d0e0e47-6-00f067aa0ba902b7-01", nil),
            ("garbage", nil),
        ] as [(String, String?)])
    func paymentTraceID(traceParent: String, expected: String?) {
        let payment = Payment(
            id: UUID(), clientID: "c", clientRef: "r", amount: Money(minorUnits: 1, currency: .usd),
            recipient: .zelle(name: "A", token: .email("a@example.com")), description: nil, status: .initiated,
            createdAt: Date(), updatedAt: Date(), traceParent: traceParent
        )
        #expect(payment.traceID == expected)
    }

    @Test("API keys are matched by hash; bad configuration names the setting, not the key")
    func apiKeys() throws {
        let registry = try APIKeyRegistry.parse("erp:sk_live_0123456789abcdef,billing:sk_live_fedcba9876543210")
        #expect(registry.client(forKey: "sk_live_0123456789abcdef")?.id == "erp")
        #expect(registry.client(forKey: "sk_live_fedcba9876543210")?.id == "billing")
        #expect(registry.client(forKey: "sk_live_0123456789abcdeX") == nil)
        #expect(registry.hasPlainKeys)
        // Digests instead of keys; several keys for one client while it rotates.
        let (key, entry) = APIClient.newKey(forClient: "erp")
        #expect(key.hasPrefix("sk_") && key.utf8.count == 67)
        #expect(entry.hasPrefix("erp:sha256:") && !entry.contains(key))
        let hashed = try APIKeyRegistry.parse("\(entry), erp:sha256:\(String(repeating: "ab", count: 32))")
        #expect(!hashed.hasPlainKeys)
        #expect(hashed.client(forKey: key)?.id == "erp")
        #expect(hashed.client(forKey: key + "x") == nil)
        for bad in [
            "erp:sha256:abcd", "erp:sha256:" + String(repeating: "zz", count: 32), "e rp:sk_live_0123456789abcdef",
        ] {
            #expect(throws: ConfigurationError.self) { try APIKeyRegistry.parse(bad) }
        }
        do {
            _ = try APIKeyRegistry.parse("erp:short")
            Issue.record("expected an error")
        } catch {
            #expect(error.setting == "PAYMENTS_API_KEYS")
            #expect(!error.description.contains("short"))
        }
    }

    @Test("Retry-After as seconds or an HTTP date")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryAfter.delay(from: "120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(from: "Tue, 14 Nov 2023 22:13:40 GMT", now: now) == .seconds(20))
        #expect(RetryAfter.delay(from: "Tue, 14 Nov 2023 22:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.delay(from: "soon", now: now) == nil)
    }

    @Test("Webhook events parse, and every bad field is named")
    func webhookEventParsing() {
        let good: JSONValue = .object([
            "event_id": .string("evt_1"), "payment_id": .string("6F1C0000-0000-4000-8000-000000000001"),
            "status": .string("returned"), "return_code": .string("R01"), "reason": .string("Insufficient funds"),
            "occurred_at": .string("2026-11-24T10:00:00Z"), "bank_ref": .null,
        ])
        let event = try? WebhookEvent.parse(good).get()
        #expect(event?.status == .returned)
        #expect(event?.returnCode == "R01")
        let bad: JSONValue = .object([
            "event_id": .integer(1), "payment_id": .string("nope"), "status": .string("initiated"),
            "occurred_at": .string("yesterday"),
        ])
        guard case .failure(let error) = WebhookEvent.parse(bad) else {
            Issue.record("expected a failure")
            return
        }
        #expect(Set(error.errors.map(\.pointer)) == ["/event_id", "/payment_id", "/status", "/occurred_at"])
    }
}

/// Draws `UInt64.max` every time, pinning full jitter at its slowest.
private struct SlowestRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { .max }
}
