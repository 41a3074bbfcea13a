import Foundation
import PaymentsCore
import PaymentsDemo
import Testing

@Suite("payments demo: checking a delivery's Payments-Signature")
struct DemoSignatureCheckTests {
    let body = Array(#"{"event_id":"evt_1"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    // HMAC-SHA256("whsec_test", "1700000000.{\"event_id\":\"evt_1\"}") computed with Python's hmac module.
    let knownDigest = "0344289cae2f5eb6d2640d79205fa65017efc017e224155b7ef95f784061172c"
    let wrongDigest = String(repeating: "0", count: 64)

    @Test("A valid signature passes: an independently computed one, and one the service made")
    func valid() {
        let check = DemoSignatureCheck(secret: "whsec_test")
        #expect(check.check(header: "t=1700000000,v1=\(knownDigest)", body: body, now: now) == .valid)
        #expect(check.check(header: "t=1700000000,v1=\(knownDigest.uppercased())", body: body, now: now) == .valid)
        #expect(check.check(header: " t=1700000000 , v0=abc, v1=\(knownDigest) ", body: body, now: now) == .valid)
        let header = ClientWebhookSignature.header(secrets: ["whsec_test"], timestamp: 1_700_000_000, body: body)
        #expect(check.check(header: header, body: body, now: now) == .valid)
    }

    @Test("Another secret, another body or another timestamp is a mismatch")
    func wrongSecret() {
        let header = ClientWebhookSignature.header(secrets: ["whsec_other"], timestamp: 1_700_000_000, body: body)
        #expect(DemoSignatureCheck(secret: "whsec_test").check(header: header, body: body, now: now) == .mismatch)
        let check = DemoSignatureCheck(secret: "whsec_test")
        #expect(check.check(header: "t=1700000000,v1=\(knownDigest)", body: Array("{}".utf8), now: now) == .mismatch)
        #expect(check.check(header: "t=1700000001,v1=\(knownDigest)", body: body, now: now) == .mismatch)
    }

    @Test("A timestamp more than five minutes away either way is stale, even when the digest matches")
    func stale() {
        let check = DemoSignatureCheck(secret: "whsec_test")
        let header = "t=1700000000,v1=\(knownDigest)"
        #expect(check.check(header: header, body: body, now: now.addingTimeInterval(300)) == .valid)
        #expect(check.check(header: header, body: body, now: now.addingTimeInterval(-300)) == .valid)
        #expect(check.check(header: header, body: body, now: now.addingTimeInterval(301)) == .stale)
        #expect(check.check(header: header, body: body, now: now.addingTimeInterval(-301)) == .stale)
    }

    @Test("With two v1 entries, one valid is enough, in either order; none valid is a mismatch")
    func twoEntries() {
        let check = DemoSignatureCheck(secret: "whsec_test")
        #expect(check.check(header: "t=1700000000,v1=\(wrongDigest),v1=\(knownDigest)", body: body, now: now) == .valid)
        #expect(check.check(header: "t=1700000000,v1=\(knownDigest),v1=\(wrongDigest)", body: body, now: now) == .valid)
        #expect(
            check.check(header: "t=1700000000,v1=\(wrongDigest),v1=\(wrongDigest)", body: body, now: now) == .mismatch)
        // A rotation: the service signs with the new and the old secret; either endpoint secret verifies.
        let rotating = ClientWebhookSignature.header(
            secrets: ["whsec_new", "whsec_test"], timestamp: 1_700_000_000, body: body)
        #expect(rotating.components(separatedBy: ",v1=").count == 3)
        #expect(DemoSignatureCheck(secret: "whsec_new").check(header: rotating, body: body, now: now) == .valid)
        #expect(DemoSignatureCheck(secret: "whsec_test").check(header: rotating, body: body, now: now) == .valid)
    }

    @Test("A missing or malformed header is refused with its own reason")
    func malformed() {
        let check = DemoSignatureCheck(secret: "whsec_test")
        #expect(check.check(header: nil, body: body, now: now) == .missing)
        #expect(check.check(header: "", body: body, now: now) == .missing)
        for header in [
            "garbage", "t=1700000000", "v1=\(knownDigest)", "t=abc,v1=\(knownDigest)",
            "t=-1700000000,v1=\(knownDigest)",
            "t=1700000000,t=1700000000,v1=\(knownDigest)", "t=1700000000,v1=xyz",
            "t=99999999999999999999,v1=\(knownDigest)",
            "t=1700000000," + String(repeating: "v0=x,", count: 1000) + "v1=\(knownDigest)",
        ] {
            #expect(check.check(header: header, body: body, now: now) == .malformed, "\(header.prefix(60))")
        }
        // Only the first eight well-formed v1 entries are compared.
        let eightWrong = Array(repeating: "v1=\(wrongDigest)", count: 8).joined(separator: ",")
        #expect(check.check(header: "t=1700000000,\(eightWrong),v1=\(knownDigest)", body: body, now: now) == .mismatch)
        // No reason names a secret or a digest.
        for verdict in DemoSignatureCheck.Verdict.allCases {
            #expect(!verdict.description.contains("whsec") && !verdict.description.contains(knownDigest))
        }
    }
}
