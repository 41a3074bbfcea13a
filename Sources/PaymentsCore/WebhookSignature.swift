import Crypto
import Foundation
import PaymentsSupport

/// The bank's webhook signature scheme: `Bank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
/// with several `v1=` entries while a secret is being rotated.
public struct WebhookSignature: Sendable {
    /// How far the signed timestamp may be from now, either way.
    public var tolerance: TimeInterval
    private let keys: [SymmetricKey]

    /// Creates a verifier and signer; the first secret signs, any of them verifies.
    public init(secrets: [String], tolerance: TimeInterval = 300) {
        precondition(!secrets.isEmpty, "at least one webhook secret")
        self.keys = secrets.map { SymmetricKey(data: Data($0.utf8)) }
        self.tolerance = tolerance
    }

    /// Why a signature was refused. The description never contains the secret or the expected digest.
    public enum Failure: String, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case missing
        case malformed
        case stale
        case mismatch

        public var description: String {
            switch self {
            case .missing: "no Bank-Signature header"
            case .malformed: "the Bank-Signature header is not of the form t=<seconds>,v1=<hex>"
            case .stale: "the signature timestamp is outside the tolerance"
            case .mismatch: "no v1 signature matches"
            }
        }
    }

    /// The most `v1` signatures compared: a rotation needs two or three, and a header with a thousand would otherwise
    /// cost a thousand comparisons.
    public static let maximumCandidates = 8

    /// The longest `Bank-Signature` header read at all.
    public static let maximumHeaderBytes = 4096

    /// Checks a header against the raw body bytes; throws a ``Failure`` when it must be refused.
    ///
    /// One MAC is computed per configured secret, whatever the header holds, and compared in constant time with at
    /// most ``maximumCandidates`` well-formed `v1` entries; malformed `v1` entries and other schemes are ignored, as
    /// Stripe's verifier does.
    public func verify(header: String?, body: some Collection<UInt8>, now: Date) throws(Failure) {
        guard let header, !header.isEmpty else { throw .missing }
        // Eight signatures and a timestamp take under 700 bytes; a longer header is not one the bank sends.
        guard header.utf8.count <= Self.maximumHeaderBytes else { throw .malformed }
        var timestamp: Int64?
        var candidates: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingASCIIWhitespace()
            let value = pair[1].trimmingASCIIWhitespace()
            switch key {
            case "t":
                // Digits only: Int64 would also take a sign, and no real timestamp has one.
                guard timestamp == nil, (1...19).contains(value.utf8.count),
                    value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int64(value)
                else { throw .malformed }
                timestamp = seconds
            case "v1":
                guard candidates.count < Self.maximumCandidates, value.utf8.count == 64, let digest = Hex.decode(value)
                else { continue }
                candidates.append(digest)
            default:
                continue
            }
        }
        guard let timestamp, !candidates.isEmpty else { throw .malformed }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { throw .stale }
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        var matched = false
        for key in keys {
            let mac = Array(HMAC<SHA256>.authenticationCode(for: signed, using: key))
            // Every candidate is compared, in constant time, so the time taken says nothing about which matched.
            for candidate in candidates where ConstantTime.equals(mac, candidate) { matched = true }
        }
        guard matched else { throw .mismatch }
    }

    /// The header value for a body at a time, signed with the first secret.
    public func header(body: some Collection<UInt8>, timestamp: Int64) -> String {
        let signed = Array("\(timestamp).".utf8) + Array(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: keys[0])
        return "t=\(timestamp),v1=\(Hex.encode(mac))"
    }
}
