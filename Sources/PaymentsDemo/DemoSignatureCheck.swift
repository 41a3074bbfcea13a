import Foundation
import PaymentsCore
import PaymentsSupport

/// How the demo checks a delivery's `Payments-Signature` as a client should: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`,
/// where one `v1` must be HMAC-SHA256(secret, `"<t>.<raw body>"`) and `t` within five minutes of now, either way.
///
/// The expected digest is the service's own (``PaymentsCore/ClientWebhookSignature``) for the received timestamp; it
/// is compared in constant time with every well-formed `v1` entry (at most ``maximumCandidates``), so that a
/// rotation's second signature is accepted and the time taken says nothing about which one matched. Other schemes
/// and malformed `v1` entries are ignored.
public struct DemoSignatureCheck: Sendable {
    /// Why a delivery was refused, or that it was not.
    public enum Verdict: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A `v1` entry matches and the timestamp is recent.
        case valid
        /// No `Payments-Signature` header.
        case missing
        /// Not `t=<seconds>,v1=<64 hex digits>`, or longer than ``DemoSignatureCheck/maximumHeaderBytes``.
        case malformed
        /// The timestamp is more than ``DemoSignatureCheck/tolerance`` from now.
        case stale
        /// No `v1` entry matches.
        case mismatch

        /// A few words for the summary; never the secret or a digest.
        public var description: String {
            switch self {
            case .valid: "valid"
            case .missing: "no signature"
            case .malformed: "malformed signature"
            case .stale: "timestamp older or newer than 5 min"
            case .mismatch: "wrong signature"
            }
        }
    }

    /// How far the signed timestamp may be from now, either way.
    public static let tolerance: TimeInterval = 300
    /// The most `v1` entries compared: a rotation needs two.
    public static let maximumCandidates = 8
    /// The longest header read at all.
    public static let maximumHeaderBytes = 4096

    private let secret: String

    /// A check against the endpoint's signing secret.
    public init(secret: String) {
        self.secret = secret
    }

    /// Checks `header` (the `Payments-Signature` value) against the raw body as received, at `now`.
    public func check(header: String?, body: some Collection<UInt8>, now: Date = Date()) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        guard header.utf8.count <= Self.maximumHeaderBytes else { return .malformed }
        var timestamp: Int64?
        var candidates: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let value = pair[1].trimmingASCIIWhitespace()
            switch pair[0].trimmingASCIIWhitespace() {
            case "t":
                guard timestamp == nil, (1...19).contains(value.utf8.count),
                    value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int64(value)
                else { return .malformed }
                timestamp = seconds
            case "v1":
                guard candidates.count < Self.maximumCandidates, value.utf8.count == 64, let digest = Hex.decode(value)
                else { continue }
                candidates.append(digest)
            default:
                continue
            }
        }
        guard let timestamp, !candidates.isEmpty else { return .malformed }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= Self.tolerance else { return .stale }
        let signed = ClientWebhookSignature.header(secrets: [secret], timestamp: timestamp, body: body)
        guard let marker = signed.range(of: ",v1="), let expected = Hex.decode(signed[marker.upperBound...]) else {
            return .mismatch
        }
        var matched = false
        // Every candidate is compared, whatever matched before it.
        for candidate in candidates where ConstantTime.equals(candidate, expected) { matched = true }
        return matched ? .valid : .mismatch
    }
}
