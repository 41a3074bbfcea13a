/// Why an export was not delivered.
///
/// `description` is deliberately generic (signal, kind, status, attempts): no URL, header or response body, so it
/// can be logged or counted safely. `debugDescription` adds the underlying error.
public struct OTLPExportError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The broad reason.
    public enum Kind: String, Sendable, Hashable {
        /// The collector answered with a status that must not be retried (400, 401, 413, 500, ...).
        case rejected
        /// Retryable failures (429, 502, 503, 504, connection errors, timeouts) continued past the last attempt.
        case retriesExhausted
        /// The deadline (the caller's, or the policy's total) came before delivery.
        case deadlineExceeded
        /// The exporting task was cancelled.
        case cancelled
        /// The request could not be built or sent for a reason retrying cannot fix (such as a malformed URL).
        case invalidRequest
    }

    /// The signal being exported.
    public var signal: OTLPSignal
    /// The broad reason.
    public var kind: Kind
    /// The last HTTP status received, if any.
    public var httpStatus: Int?
    /// Requests made.
    public var attempts: Int
    /// The last transport error, for debugging only.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(signal: OTLPSignal, kind: Kind, httpStatus: Int? = nil, attempts: Int, underlying: (any Error)? = nil) {
        self.signal = signal
        self.kind = kind
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.underlying = underlying
    }

    /// For example `OTLP export of traces failed: retriesExhausted (HTTP 503) after 5 attempts`.
    public var description: String {
        let status = httpStatus.map { " (HTTP \($0))" } ?? ""
        return "OTLP export of \(signal.rawValue) failed: \(kind.rawValue)\(status) after \(attempts) attempt(s)"
    }

    /// The description and the underlying error.
    public var debugDescription: String {
        description + (underlying.map { ": \(String(reflecting: $0))" } ?? "")
    }
}
