import Foundation
import PaymentsCore
import PaymentsSupport

/// How the demo checks a delivery's `Payments-Signature` as a client should: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`,
/// where one `v1` must be HMAC-SHA256(secret, `"<t>.<raw body>"`) and `t` within five minutes of now, either way.
///
/// One MAC is compared in constant time with every well-formed `v1` entry (at most eight), so that a rotation's second
/// signature is accepted and the time taken says nothing about which one matched. Other schemes and malformed `v1`
/// entries are ignored.
public struct DemoSignatureCheck: Sendable {
    /// Why a delivery was refused, or that it was not.
    public enum Verdict: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A `v1` entry matches and the timestamp is recent.
        case valid
        /// No `Payments-Signature` header.
        case missing
        /// Not `t=<seconds>,v1=<64 hex digits>`, or longer than 4 KiB.
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

    private let verifier: WebhookSignature

    /// A check against the endpoint's signing secret.
    public init(secret: String) {
        // The service signs deliveries with the scheme the bank signs its webhooks to us with, so the verifier the
        // webhook receiver uses checks them too.
        self.verifier = WebhookSignature(secrets: [secret], tolerance: Self.tolerance)
    }

    /// Checks `header` (the `Payments-Signature` value) against the raw body as received, at `now`.
    public func check(header: String?, body: some Collection<UInt8>, now: Date = Date()) -> Verdict {
        do {
            try verifier.verify(header: header, body: body, now: now)
            return .valid
        } catch {
            switch error {
            case .missing: return .missing
            case .malformed: return .malformed
            case .stale: return .stale
            case .mismatch: return .mismatch
            }
        }
    }
}
