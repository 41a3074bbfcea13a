import Foundation
import HTTPTypes
import PaymentsCore
import Testing

@testable import PaymentsAPI

@Suite("The edge's rules: text, media types, routes, rate limits")
struct EdgeRulesTests {
    @Test(
        "Text: code points, not graphemes; no control or bidi override characters; names need something visible",
        arguments: [
            ("Acme LLC", nil),
            (String(repeating: "é", count: 100), nil),  // 100 code points
            // 60 graphemes, 120 code points.
            (String(repeating: "e\u{301}", count: 60), "must be 1 to 100 characters (Unicode code points)"),
            ("Acme\u{0}LLC", "must not contain control characters"),
            ("Acme\u{7F}", "must not contain control characters"),
            ("Acme\u{85}", "must not contain control characters"),
            ("\u{202E}CLL emcA", "must not contain bidirectional override characters"),
            ("Acme\u{2066}LLC", "must not contain bidirectional override characters"),
            ("\u{200B}\u{200D}\u{FEFF}", "must contain a visible character"),
            ("\u{200E}\u{200F}", "must contain a visible character"),
            ("株式会社", nil),
        ] as [(String, String?)]
    )
    func names(text: String, problem: String?) {
        #expect(TextRules.problem(text, minimum: 1, maximum: 100, visible: true) == problem)
    }

    @Test("A description may be empty or anything printable up to 140 code points")
    func descriptions() {
        #expect(TextRules.problem("", maximum: 140) == nil)
        #expect(TextRules.problem("Invoice 1002 — paid in full ✓", maximum: 140) == nil)
        #expect(TextRules.problem(String(repeating: "x", count: 141), maximum: 140) != nil)
        #expect(TextRules.problem("line\nbreak", maximum: 140) == "must not contain control characters")
    }

    @Test(
        "Only application/json (charset utf-8 at most) is a JSON body",
        arguments: [
            ("application/json", true), ("Application/JSON", true), ("application/json; charset=utf-8", true),
            ("application/json;charset=\"UTF-8\"", true), ("application/jsonx", false),
            ("application/json-patch+json", false), ("application/json; charset=latin1", false),
            ("application/json; boundary=x", false), ("text/json", false), ("", false),
        ])
    func mediaTypes(header: String, isJSON: Bool) {
        #expect(RequestJSON.isJSON(header) == isJSON)
    }

    @Test("Every route's methods are known, for 405 with Allow")
    func routes() {
        #expect(RouteTable.allowedMethods("/v1/payments") == [.get, .post])
        #expect(RouteTable.allowedMethods("/v1/payments/6f1c0000-0000-4000-8000-000000000001") == [.get])
        #expect(RouteTable.allowedMethods("/webhook/payments") == [.post])
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.yaml"] {
            #expect(RouteTable.allowedMethods(path) == [.get])
        }
        #expect(RouteTable.allowedMethods("/v1/nothing") == nil)
        #expect(RouteTable.allowedMethods("/v1/payments/a/b") == nil)
    }

    @Test("Rate limits: rate/burst per client with a default; anything else is refused")
    func rateLimitSetting() throws {
        let limits = try #require(ClientRateLimits("default=10/20, acme=5/5,globex=7"))
        #expect(limits.limit(for: "acme") == RateLimit(perSecond: 5, burst: 5))
        #expect(limits.limit(for: "globex") == RateLimit(perSecond: 7, burst: 14))
        #expect(limits.limit(for: "initech") == RateLimit(perSecond: 10, burst: 20))
        #expect(ClientRateLimits("acme=1/1")?.standard == ClientRateLimits.default.standard)
        for bad in ["acme", "acme=0/1", "acme=1/0", "=1/1", "acme=x/1", "acme=1/2/3", "acme=-1"] {
            #expect(ClientRateLimits(bad) == nil, "\(bad)")
        }
    }

    @Test("A token bucket allows its burst, then one per 1/rate, and says how long to wait")
    func tokenBucket() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(limit: RateLimit(perSecond: 10, burst: 3), now: start)
        for _ in 0..<3 { #expect(bucket.take(now: start) == nil) }
        #expect(bucket.take(now: start) == .milliseconds(100))
        #expect(bucket.take(now: start + .milliseconds(100)) == nil)
        #expect(bucket.take(now: start + .milliseconds(150)) == .milliseconds(50))
        // A long pause refills to the burst, no further.
        for _ in 0..<3 { #expect(bucket.take(now: start + .seconds(60)) == nil) }
        #expect(bucket.take(now: start + .seconds(60)) != nil)
    }
}
