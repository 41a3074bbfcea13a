import Crypto
import Foundation
import PaymentsSupport

/// Signs webhook bodies the way the receiver verifies them:
/// `Bank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
struct WebhookSigner: Sendable {
    private let key: SymmetricKey

    /// Uses the first of a comma-separated list of secrets: during a rotation the receiver accepts all of them, and the
    /// first is the one being rotated to.
    init(secrets: String) {
        let first = secrets.split(separator: ",", omittingEmptySubsequences: true).first.map(String.init) ?? secrets
        self.key = SymmetricKey(data: Data(first.trimmingASCIIWhitespace().utf8))
    }

    /// The lower-case hex HMAC-SHA256 of `"<timestamp>.<body>"`.
    func signature(timestamp: Int, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: self.key)
        mac.update(data: Data("\(timestamp).".utf8))
        mac.update(data: body)
        return Hex.encode(mac.finalize())
    }

    /// The full `Bank-Signature` header value.
    func headerValue(timestamp: Int, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(self.signature(timestamp: timestamp, body: body))"
    }
}
