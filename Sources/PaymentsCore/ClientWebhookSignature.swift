import Crypto
import Foundation
import PaymentsSupport

/// How deliveries to client endpoints are signed: `Payments-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
/// "<t>.<raw body>")>`, one `v1` per secret that signs (two while a rotation overlaps), the scheme the bank signs its
/// webhooks to us with. The key is the secret's UTF-8 bytes.
public enum ClientWebhookSignature {
    /// The header's name.
    public static let headerName = "Payments-Signature"

    /// The header value for `body` signed at `timestamp` with each of `secrets`.
    public static func header(secrets: [String], timestamp: Int64, body: some Collection<UInt8>) -> String {
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        var header = "t=\(timestamp)"
        for secret in secrets {
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
            header += ",v1=" + Hex.encode(Array(mac))
        }
        return header
    }

    /// A new signing secret: `whsec_` and 32 random bytes in hex.
    public static func newSecret() -> String {
        "whsec_" + Hex.encode(SecureRandom.bytes(32))
    }
}
