import Foundation
import PaymentsCore
import Testing

@Suite("Bank-Signature verification")
struct WebhookSignatureTests {
    let body = Array(#"{"event_id":"evt_1"}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    // HMAC-SHA256("whsec_test", "1700000000.{\"event_id\":\"evt_1\"}") computed with Python's hmac module.
    let knownDigest = "0344289cae2f5eb6d2640d79205fa65017efc017e224155b7ef95f784061172c"

    @Test("Signing matches an independently computed HMAC-SHA256")
    func knownVector() {
        let header = WebhookSignature(secrets: ["whsec_test"]).header(body: body, timestamp: 1_700_000_000)
        #expect(header == "t=1700000000,v1=\(knownDigest)")
    }

    @Test("A valid signature passes, with any of the rotation secrets, with extra v1 entries and other schemes")
    func validSignatures() throws {
        let verifier = WebhookSignature(secrets: ["whsec_new", "whsec_test"])
        try verifier.verify(header: "t=1700000000,v1=\(knownDigest)", body: body, now: now)
        try verifier.verify(
            header: "t=1700000000,v0=ignored,v1=\(String(repeating: "0", count: 64)),v1=\(knownDigest)", body: body,
            now: now.addingTimeInterval(299))
    }

    @Test("Each bad header fails with its own reason")
    func failures() {
        let verifier = WebhookSignature(secrets: ["whsec_test"])
        func failure(_ header: String?, at date: Date? = nil, body: [UInt8]? = nil) -> WebhookSignature.Failure? {
            do {
                try verifier.verify(header: header, body: body ?? self.body, now: date ?? now)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(nil) == .missing)
        #expect(failure("") == .missing)
        #expect(failure("garbage") == .malformed)
        #expect(failure("t=abc,v1=\(knownDigest)") == .malformed)
        #expect(failure("t=1700000000") == .malformed)
        #expect(failure("t=1700000000,v1=xyz") == .malformed)
        #expect(failure("t=1700000000,v1=\(knownDigest)", at: now.addingTimeInterval(301)) == .stale)
        #expect(failure("t=1700000000,v1=\(knownDigest)", at: now.addingTimeInterval(-301)) == .stale)
        #expect(failure("t=1700000000,v1=\(knownDigest)", body: Array("{}".utf8)) == .mismatch)
        #expect(failure("t=1700000001,v1=\(knownDigest)") == .mismatch)
    }

    @Test("At most eight well-formed v1 entries are compared; malformed ones are ignored, not fatal")
    func candidatesAreCapped() throws {
        let verifier = WebhookSignature(secrets: ["whsec_test"])
        let wrong = String(repeating: "0", count: 64)
        let junk = (0..<100).map { "v1=\($0)" }.joined(separator: ",")
        // Malformed entries cost nothing and do not hide the real signature.
        try verifier.verify(header: "t=1700000000,\(junk),v1=\(knownDigest)", body: body, now: now)
        let sevenWrong = Array(repeating: "v1=\(wrong)", count: 7).joined(separator: ",")
        try verifier.verify(header: "t=1700000000,\(sevenWrong),v1=\(knownDigest)", body: body, now: now)
        // A signature past the eighth well-formed entry is not looked at, and a header of a thousand entries is not
        // read at all.
        let nineWrong = Array(repeating: "v1=\(wrong)", count: 9).joined(separator: ",")
        #expect(throws: WebhookSignature.Failure.mismatch) {
            try verifier.verify(header: "t=1700000000,\(nineWrong),v1=\(knownDigest)", body: body, now: now)
        }
        let manyWrong = Array(repeating: "v1=\(wrong)", count: 1_000).joined(separator: ",")
        #expect(throws: WebhookSignature.Failure.malformed) {
            try verifier.verify(header: "t=1700000000,\(manyWrong),v1=\(knownDigest)", body: body, now: now)
        }
    }

    @Test("Failure descriptions never contain the secret or the expected digest")
    func descriptionsAreSafe() {
        for failure in [WebhookSignature.Failure.missing, .malformed, .stale, .mismatch] {
            #expect(!failure.description.contains("whsec"))
            #expect(!failure.description.contains(knownDigest))
        }
    }
}
