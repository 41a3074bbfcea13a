import Crypto
import Foundation
import PaymentsSupport

/// The keys that make recipient identifiers unreadable at rest.
///
/// Values are sealed with AES-256-GCM under the first data key and opened with whichever key sealed them, whose id the
/// sealed value carries (`<key id>:<base64 of nonce, ciphertext and tag>`). The payment id and the field's name are
/// the associated data, so a sealed value copied to another row or column does not open. The `index` key, which
/// never seals and never rotates, keys the blind index (to compare accounts without opening them) and the request
/// fingerprints (so that a fingerprint is not an unkeyed hash of an account number).
public struct DataKeyRing: Sendable {
    /// A data key.
    public struct Key: Sendable {
        public let id: String
        let key: SymmetricKey
    }

    /// The data keys, the sealing one first.
    public let keys: [Key]
    private let indexKey: SymmetricKey

    /// The id of the key that seals.
    public var sealingKeyID: String { keys[0].id }

    /// Why a sealed value did not open. Never holds the value, the key or the plaintext.
    public struct OpenError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The key id the value names, if it could be read.
        public var keyID: String?
        /// What went wrong: `malformed`, `unknown_key` or `not_authentic`.
        public var reason: String

        /// Creates an error.
        public init(keyID: String?, reason: String) {
            self.keyID = keyID
            self.reason = reason
        }

        public var description: String { "sealed value does not open (\(reason), key \(keyID ?? "?"))" }
    }

    /// Creates a ring; the first data key seals.
    public init(keys: [(id: String, bytes: [UInt8])], indexKey: [UInt8]) {
        precondition(!keys.isEmpty && keys.allSatisfy { $0.bytes.count == 32 } && indexKey.count == 32)
        self.keys = keys.map { Key(id: $0.id, key: SymmetricKey(data: $0.bytes)) }
        self.indexKey = SymmetricKey(data: indexKey)
    }

    /// Seals `text`, bound to the payment and the field.
    public func seal(_ text: String, paymentID: UUID, field: String) -> String {
        let key = keys[0]
        // AES.GCM.seal only fails for a nonce or key of the wrong size, which cannot happen here.
        let box = try! AES.GCM.seal(
            Data(text.utf8), using: key.key, nonce: AES.GCM.Nonce(),
            authenticating: Self.associatedData(paymentID: paymentID, field: field))
        return key.id + ":" + box.combined!.base64EncodedString()
    }

    /// Opens a value ``seal(_:paymentID:field:)`` produced for this payment and field.
    public func open(_ sealed: String, paymentID: UUID, field: String) throws(OpenError) -> String {
        guard let colon = sealed.firstIndex(of: ":") else { throw OpenError(keyID: nil, reason: "malformed") }
        let keyID = String(sealed[..<colon])
        guard let key = keys.first(where: { $0.id == keyID }) else {
            throw OpenError(keyID: keyID, reason: "unknown_key")
        }
        guard let combined = Data(base64Encoded: String(sealed[sealed.index(after: colon)...])),
            let box = try? AES.GCM.SealedBox(combined: combined)
        else { throw OpenError(keyID: keyID, reason: "malformed") }
        guard
            let plain = try? AES.GCM.open(
                box, using: key.key, authenticating: Self.associatedData(paymentID: paymentID, field: field)),
            let text = String(bytes: plain, encoding: .utf8)
        else { throw OpenError(keyID: keyID, reason: "not_authentic") }
        return text
    }

    /// The id of the key a sealed value names.
    public static func keyID(of sealed: String) -> String? {
        sealed.firstIndex(of: ":").map { String(sealed[..<$0]) }
    }

    /// The blind index of a bank account: a keyed HMAC of its routing and account numbers (digits only), equal for
    /// equal accounts, revealing nothing without the index key.
    public func blindIndex(accountNumber: String, routingNumber: String) -> String {
        let normalized = "account:" + routingNumber.filter(\.isNumber) + ":" + accountNumber.filter(\.isNumber)
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: indexKey))
    }

    /// A keyed digest of a request's canonical form, for telling a replay from a different request.
    public func fingerprint(_ request: PaymentRequest) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(request.canonicalForm.utf8), using: indexKey))
    }

    private static func associatedData(paymentID: UUID, field: String) -> Data {
        Data("payments/\(paymentID.lowercased)/\(field)".utf8)
    }
}
