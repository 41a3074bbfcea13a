import AsyncHTTPClient
import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PaymentsCore
import PaymentsSupport
import Tracing

/// The ``BankGateway`` over the partner bank's HTTP Payments API.
public final class HTTPBankClient: BankGateway {
    private let configuration: BankClientConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let tokens: OAuth2TokenProvider?
    private let metrics: any MetricsFactory
    /// One histogram per (operation, outcome), made on first use rather than looked up in the registry per call.
    private let durations = MemoTable<OperationOutcome, Recorder>()

    /// Creates a client on a shared `HTTPClient` (whose lifetime the caller owns). In `.mtls` mode the client must
    /// present the certificate: pass the one ``BankTLS/makeHTTPClient(configuration:)`` builds.
    public init(
        configuration: BankClientConfiguration, httpClient: HTTPClient, logger: Logger,
        metrics: any MetricsFactory = MetricsSystem.factory,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.metrics = metrics
        if case .oauth2(let tokenURL, let clientID, let clientSecret) = configuration.authentication {
            tokens = OAuth2TokenProvider(
                httpClient: httpClient, tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret,
                refreshMargin: configuration.tokenRefreshMargin, timeout: configuration.requestTimeout, now: now
            )
        } else {
            tokens = nil
        }
        // Every outcome at zero, so the bank panels read 0 before the first call. Throttling refuses calls
        // before they are made, so it is never an outcome here.
        let errors = BankError.Kind.allCases.filter { $0 != .throttled }.map(Self.outcome(of:))
        for (operation, successes) in [
            ("submit", ["accepted", "rejected"]), ("status", ["ok", "not_found"]),
            ("settlement_report", ["ok", "not_found"]),
        ] {
            for outcome in successes + errors { _ = duration(operation, outcome) }
        }
    }

    public func submit(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult {
        try await traced("submit", paymentID: submission.paymentID, clientRef: submission.clientRef) {
            () async throws(BankError) in
            try await measured("submit") { () async throws(BankError) in
                try await submitUnmeasured(submission)
            } outcome: {
                switch $0 {
                case .accepted: "accepted"
                case .rejected: "rejected"
                }
            }
        }
    }

    public func status(of paymentID: UUID, traceParent: String?) async throws(BankError) -> BankPaymentStatus? {
        try await traced("status", paymentID: paymentID, clientRef: nil) { () async throws(BankError) in
            try await measured("status") { () async throws(BankError) in
                try await statusUnmeasured(of: paymentID, traceParent: traceParent)
            } outcome: {
                $0 == nil ? "not_found" : "ok"
            }
        }
    }

    public func settlementReport(since: Date?, cursor: String?) async throws(BankError) -> SettlementReportPage? {
        try await traced("settlement_report", paymentID: nil, clientRef: nil) { () async throws(BankError) in
            try await measured("settlement_report") { () async throws(BankError) in
                try await settlementReportUnmeasured(since: since, cursor: cursor)
            } outcome: {
                $0 == nil ? "not_found" : "ok"
            }
        }
    }

    /// Runs a bank call in a `BankClient.<operation>` client span carrying the payment's ids, when about one payment.
    private func traced<T: Sendable>(
        _ operation: String, paymentID: UUID?, clientRef: String?, _ body: () async throws(BankError) -> T
    ) async throws(BankError) -> T {
        let span = InstrumentationSystem.tracer.startAnySpan(
            "BankClient.\(operation)", context: ServiceContext.current ?? .topLevel, ofKind: .client)
        if let paymentID { span.attributes["payment_id"] = paymentID.lowercased }
        if let clientRef { span.attributes["client_ref"] = clientRef }
        defer { span.end() }
        // Task-local binding does not carry typed throws; the outcome travels as a Result instead.
        let outcome: Result<T, BankError> = await ServiceContext.$current.withValue(span.context) {
            do throws(BankError) {
                return .success(try await body())
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let error):
            span.attributes["error.kind"] = error.kind.rawValue
            if let status = error.httpStatus { span.attributes["http.response.status_code"] = status }
            span.setStatus(SpanStatus(code: .error, message: error.kind.rawValue))
            throw error
        }
    }

    /// Times a call into `bank_request_duration_seconds{operation, outcome}`.
    private func measured<T>(
        _ operation: String, _ body: () async throws(BankError) -> T, outcome: (T) -> String
    ) async throws(BankError) -> T {
        let started = ContinuousClock.now
        func record(_ outcome: String) {
            duration(operation, outcome).record((ContinuousClock.now - started).timeInterval)
        }
        do {
            let value = try await body()
            record(outcome(value))
            return value
        } catch {
            record(Self.outcome(of: error.kind))
            throw error
        }
    }

    /// The `outcome` label of a failed call.
    private static func outcome(of kind: BankError.Kind) -> String {
        kind == .server ? "server_error" : kind.rawValue
    }

    private func duration(_ operation: String, _ outcome: String) -> Recorder {
        durations.value(OperationOutcome(operation: operation, outcome: outcome)) { key in
            Recorder(
                label: "bank_request_duration_seconds",
                dimensions: [("operation", key.operation), ("outcome", key.outcome)], aggregate: true, factory: metrics)
        }
    }

    private struct OperationOutcome: Hashable, Sendable {
        var operation: String
        var outcome: String
    }

    private func submitUnmeasured(_ submission: BankSubmission) async throws(BankError) -> BankSubmissionResult {
        let (status, data) = try await send(
            method: .POST, path: "/v1/payments", body: Data(BankPaymentBody.json(submission).serialized),
            idempotencyKey: submission.paymentID.lowercased,
            traceParent: submission.traceParent
        )
        return try BankResponses.submission(status: status, body: data)
    }

    private func settlementReportUnmeasured(since: Date?, cursor: String?) async throws(BankError)
        -> SettlementReportPage?
    {
        var query: [String] = []
        if let since { query.append("since=" + Self.queryValue(Timestamp.format(since))) }
        if let cursor { query.append("cursor=" + Self.queryValue(cursor)) }
        let path = "/v1/reports/settlements" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let (status, data) = try await send(method: .GET, path: path, body: nil, idempotencyKey: nil, traceParent: nil)
        return try BankResponses.settlementPage(status: status, body: data)
    }

    /// Percent-encodes a query parameter's value.
    private static func queryValue(_ text: String) -> String {
        PercentEncoding.encode(text) { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || Array("-._~".utf8).contains(byte)
        }
    }

    private func statusUnmeasured(of paymentID: UUID, traceParent: String?) async throws(BankError)
        -> BankPaymentStatus?
    {
        let (status, data) = try await send(
            method: .GET, path: "/v1/payments/\(paymentID.lowercased)", body: nil, idempotencyKey: nil,
            traceParent: traceParent
        )
        return try BankResponses.paymentStatus(status: status, body: data)
    }

    /// The wait a 429 or 5xx asks for, at most a day: a bank's mistake must not park a payment for longer.
    private static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        headers.first(name: "Retry-After").flatMap { RetryAfter.delay(from: $0, now: Date()) }.map {
            min($0, .seconds(86_400))
        }
    }

    /// Sends one request, authenticating it, retrying once with a fresh token after a 401, and turning 429, 5xx and
    /// transport failures into errors. Other statuses are returned for the caller to interpret.
    private func send(
        method: HTTPMethod, path: String, body: Data?, idempotencyKey: String?, traceParent: String?
    ) async throws(BankError) -> (Int, Data) {
        var refusedOnce = false
        while true {
            var request = HTTPClientRequest(url: configuration.baseURL + path)
            request.method = method
            request.headers.add(name: "Accept", value: "application/json")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: body))
            }
            if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
            // A traced HTTP client injects its own span's `traceparent`; otherwise we send the current span's, or
            // the payment's stored one (never two: a repeated header would not parse at the bank).
            if httpClient.tracer == nil {
                InstrumentationSystem.instrument.inject(
                    ServiceContext.current ?? .topLevel, into: &request.headers, using: HTTPHeadersInjector())
                if let traceParent, !request.headers.contains(name: "traceparent") {
                    request.headers.add(name: "traceparent", value: traceParent)
                }
            }
            var token: String?
            switch configuration.authentication {
            case .apiKey(let key):
                request.headers.add(name: "X-API-Key", value: key)
            case .oauth2:
                let bearer = try await tokens!.token()
                token = bearer
                request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
            case .mtls:
                break  // The client certificate, presented by `httpClient` during the TLS handshake, is the credential.
            }
            let response: HTTPClientResponse
            let data: Data
            do {
                response = try await httpClient.execute(
                    request, timeout: TimeAmount(configuration.requestTimeout)
                )
                let buffer = try await response.body.collect(upTo: 256 * 1024)
                data = Data(buffer: buffer)
            } catch {
                throw BankHTTPErrors.classify(error)
            }
            let status = Int(response.status.code)
            switch status {
            case 401:
                if let token, !refusedOnce {
                    // The token may have expired early or been revoked: fetch a new one and try once more.
                    await tokens?.invalidate(token)
                    refusedOnce = true
                    continue
                }
                throw BankError(.unauthorized, httpStatus: 401)
            default:
                if let error = BankResponses.error(status: status, retryAfter: Self.retryAfter(response.headers)) {
                    throw error
                }
                return (status, data)
            }
        }
    }
}
