import Foundation
import PaymentsSupport

extension OTLPHTTPExporter {
    /// Where and how each signal is exported, read once at start-up.
    ///
    /// A signal without an endpoint is not exported. ``default`` exports nothing, as the service does when no
    /// OTLP endpoint is configured.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// Trace export, or `nil` for none.
        public var traces: Endpoint?
        /// Metrics export, or `nil` for none.
        public var metrics: Endpoint?
        /// Log export, or `nil` for none.
        public var logs: Endpoint?
        /// How failed requests are retried.
        public var retry: RetryPolicy

        /// No export at all, default retries.
        public static let `default` = Configuration()

        /// Creates a configuration.
        public init(
            traces: Endpoint? = nil, metrics: Endpoint? = nil, logs: Endpoint? = nil, retry: RetryPolicy = .default
        ) {
            self.traces = traces
            self.metrics = metrics
            self.logs = logs
            self.retry = retry
        }

        /// The endpoint of `signal`, if it is exported.
        public func endpoint(for signal: OTLPSignal) -> Endpoint? {
            switch signal {
            case .traces: traces
            case .metrics: metrics
            case .logs: logs
            }
        }

        /// Settings and endpoints without header values, which are usually credentials.
        public var description: String {
            let endpoints = OTLPSignal.allCases.map { signal in
                "\(signal.rawValue): \(endpoint(for: signal).map(\.description) ?? "off")"
            }
            return "OTLP/HTTP(\(endpoints.joined(separator: "; ")); retry: \(retry))"
        }
    }

    /// One signal's destination.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// The full URL requests are POSTed to, such as `http://collector:4318/v1/traces`.
        public var url: String
        /// Extra request headers, such as an `Authorization` header. Never logged.
        public var headers: [String: String]
        /// Body compression.
        public var compression: Compression
        /// The limit for one HTTP request (one attempt).
        public var timeout: Duration

        /// Creates an endpoint.
        public init(
            url: String, headers: [String: String] = [:], compression: Compression = .none,
            timeout: Duration = .seconds(10)
        ) {
            self.url = url
            self.headers = headers
            self.compression = compression
            self.timeout = timeout
        }

        /// The URL (without any user or password in it), compression, timeout and header names; never header values.
        public var description: String {
            let names = headers.keys.sorted().joined(separator: ",")
            return
                "\(Self.redactingUserInfo(url)) compression=\(compression.rawValue) timeout=\(timeout) headers=[\(names)]"
        }

        private static func redactingUserInfo(_ url: String) -> String {
            guard var components = URLComponents(string: url), components.user != nil || components.password != nil
            else {
                return url
            }
            components.user = nil
            components.password = nil
            return components.string ?? "(url hidden)"
        }
    }

    /// Request body compression (`OTEL_EXPORTER_OTLP_COMPRESSION`).
    public enum Compression: String, Sendable, Hashable {
        /// Uncompressed.
        case none
        /// gzip, sent with `Content-Encoding: gzip`.
        case gzip
    }

    /// Retries per the OTLP/HTTP specification: 429, 502, 503, 504 and connection errors are retried with
    /// exponential backoff and full jitter, honouring `Retry-After`; everything else is final.
    ///
    /// An export stops at whichever comes first of ``maxAttempts``, ``maxElapsed`` and the deadline the caller
    /// passes, so that a shutdown can bound it.
    public struct RetryPolicy: Sendable, Hashable, CustomStringConvertible {
        /// Attempts in all, the first included.
        public var maxAttempts: Int
        /// The backoff cap before the first retry; it doubles on each retry.
        public var initialBackoff: Duration
        /// The largest computed backoff. A collector's `Retry-After` is honoured as given, unless it reaches past
        /// the export's deadline, in which case the export gives up at once rather than wait to fail.
        public var maxBackoff: Duration
        /// The longest one export may take, retries included, when the caller gives no earlier deadline.
        public var maxElapsed: Duration

        /// 5 attempts, 1 s doubling to at most 30 s, 60 s in all.
        public static let `default` = RetryPolicy()

        /// Creates a policy.
        public init(
            maxAttempts: Int = 5, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(30),
            maxElapsed: Duration = .seconds(60)
        ) {
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.maxElapsed = maxElapsed
        }

        /// The policy's numbers.
        public var description: String {
            "attempts=\(maxAttempts) backoff=\(initialBackoff)..\(maxBackoff) total=\(maxElapsed)"
        }

        /// The pause before retry number `retry` (1 for the first retry): uniformly random between zero and
        /// `initialBackoff * 2^(retry-1)`, capped at ``maxBackoff`` ("full jitter", so that many exporters
        /// recovering from the same outage do not retry in step).
        func backoff(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
            let exponent = min(max(retry - 1, 0), 30)
            let ceiling = min(initialBackoff * (1 << exponent), maxBackoff)
            let nanoseconds = ceiling.wholeNanoseconds
            guard nanoseconds > 0 else { return .zero }
            return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
        }
    }
}
