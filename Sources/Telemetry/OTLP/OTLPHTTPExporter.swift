import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PaymentsSupport
import Synchronization

/// Sends spans, metrics and log records to an OpenTelemetry collector over OTLP/HTTP with protobuf bodies.
///
/// - Each signal goes to its own endpoint (see ``Configuration``), as `application/x-protobuf`, gzipped when
///   configured.
/// - 429, 502, 503, 504 and connection errors are retried with exponential backoff and full jitter, honouring
///   `Retry-After`; other statuses are final. A 2xx with a `partial_success` counts the rejected items.
/// - Every export is bounded by the retry policy's total time and by the deadline the caller passes, and stops when
///   its task is cancelled, so that a shutdown flush cannot hang on an unreachable collector.
/// - Its own health is reported through ``statistics(for:)`` and the `onEvent` callback; it logs nothing, so
///   header values (credentials) can never leak through it.
///
/// One export at a time per signal is the caller's business (the batch processors do that); the exporter itself
/// holds no queue, so its memory is bounded by the batch it is given.
public final class OTLPHTTPExporter: Sendable {
    /// Where and how each signal is exported.
    public let configuration: Configuration

    private let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    private let onEvent: (@Sendable (OTLPExporterEvent) -> Void)?
    private let counters: Mutex<[OTLPSignal: OTLPExporterStatistics]>

    /// Responses are tiny (a partial success at most); anything bigger is not read, so a misbehaving endpoint
    /// cannot make us buffer it.
    private static let maxResponseBodySize = 64 * 1024

    /// Creates an exporter with its own HTTP client; call ``shutdown()`` when done with it.
    ///
    /// The client is configured for export: no tracing of its own requests (exporting spans must not create
    /// spans), no redirects, and no silent reconnection loop, so that connection errors reach the retry policy.
    ///
    /// - Parameters:
    ///   - configuration: Endpoints, headers, compression, timeouts and retries.
    ///   - onEvent: Called on every failure, rejection and retry; keep it quick.
    public convenience init(
        configuration: Configuration, onEvent: (@Sendable (OTLPExporterEvent) -> Void)? = nil
    ) {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        // Without this, a refused connection is retried inside the client until the request's deadline and
        // never shows up as a connection error; we want our own, visible, bounded retries.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.tracing.tracer = nil
        self.init(
            configuration: configuration,
            httpClient: HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration),
            ownsHTTPClient: true,
            onEvent: onEvent
        )
    }

    /// Creates an exporter on an existing HTTP client, which stays the caller's to shut down.
    ///
    /// Configure that client with `tracing.tracer = nil`, or the exporter's own requests will be traced, and with
    /// `connectionPool.retryConnectionEstablishment = false` for connection errors to be retried as the policy says.
    public convenience init(
        configuration: Configuration, httpClient: HTTPClient, onEvent: (@Sendable (OTLPExporterEvent) -> Void)? = nil
    ) {
        self.init(configuration: configuration, httpClient: httpClient, ownsHTTPClient: false, onEvent: onEvent)
    }

    private init(
        configuration: Configuration, httpClient: HTTPClient, ownsHTTPClient: Bool,
        onEvent: (@Sendable (OTLPExporterEvent) -> Void)?
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.ownsHTTPClient = ownsHTTPClient
        self.onEvent = onEvent
        self.counters = Mutex([:])
    }

    /// Whether `signal` has an endpoint; exports of a signal without one return at once.
    public func isEnabled(_ signal: OTLPSignal) -> Bool {
        configuration.endpoint(for: signal) != nil
    }

    /// Running totals for `signal`.
    public func statistics(for signal: OTLPSignal) -> OTLPExporterStatistics {
        counters.withLock { $0[signal] ?? OTLPExporterStatistics() }
    }

    /// Exports spans as one `ExportTraceServiceRequest`.
    ///
    /// - Parameter deadline: When to give up, retries included; the policy's ``RetryPolicy/maxElapsed`` applies
    ///   when it is earlier or no deadline is given.
    /// - Returns: What was delivered; attempts is 0 when traces are not exported or `spans` is empty.
    /// - Throws: ``OTLPExportError`` when the batch was not delivered (the items are lost and counted).
    @discardableResult
    public func export(
        _ spans: [OTLPSpanData], deadline: ContinuousClock.Instant? = nil
    ) async throws(OTLPExportError) -> OTLPExportResult {
        guard let endpoint = configuration.traces, !spans.isEmpty else {
            return OTLPExportResult(itemCount: 0, attempts: 0)
        }
        let body = OTLPProtobufEncoder.exportTraceServiceRequest(spans)
        return try await send(body, signal: .traces, itemCount: spans.count, to: endpoint, deadline: deadline)
    }

    /// Exports metrics as one `ExportMetricsServiceRequest`; items are counted in data points.
    ///
    /// - Parameter deadline: When to give up, retries included.
    /// - Throws: ``OTLPExportError`` when the batch was not delivered.
    @discardableResult
    public func export(
        _ metrics: [OTLPMetricData], deadline: ContinuousClock.Instant? = nil
    ) async throws(OTLPExportError) -> OTLPExportResult {
        guard let endpoint = configuration.metrics, !metrics.isEmpty else {
            return OTLPExportResult(itemCount: 0, attempts: 0)
        }
        let body = OTLPProtobufEncoder.exportMetricsServiceRequest(metrics)
        let points = metrics.reduce(0) { $0 + $1.data.pointCount }
        return try await send(body, signal: .metrics, itemCount: points, to: endpoint, deadline: deadline)
    }

    /// Exports log records as one `ExportLogsServiceRequest`.
    ///
    /// - Parameter deadline: When to give up, retries included.
    /// - Throws: ``OTLPExportError`` when the batch was not delivered.
    @discardableResult
    public func export(
        _ records: [OTLPLogRecord], deadline: ContinuousClock.Instant? = nil
    ) async throws(OTLPExportError) -> OTLPExportResult {
        guard let endpoint = configuration.logs, !records.isEmpty else {
            return OTLPExportResult(itemCount: 0, attempts: 0)
        }
        let body = OTLPProtobufEncoder.exportLogsServiceRequest(records)
        return try await send(body, signal: .logs, itemCount: records.count, to: endpoint, deadline: deadline)
    }

    /// Shuts down the HTTP client if the exporter created it. In-flight exports fail; call once, last.
    public func shutdown() async {
        guard ownsHTTPClient else { return }
        try? await httpClient.shutdown()
    }

    // MARK: Sending

    private enum AttemptOutcome {
        case response(status: Int, headers: HTTPHeaders, body: [UInt8])
        case transportError(any Error)
    }

    private func send(
        _ body: [UInt8], signal: OTLPSignal, itemCount: Int, to endpoint: Endpoint, deadline: ContinuousClock.Instant?
    ) async throws(OTLPExportError) -> OTLPExportResult {
        let clock = ContinuousClock()
        let policy = configuration.retry
        let policyDeadline = clock.now + policy.maxElapsed
        let deadline = min(deadline ?? policyDeadline, policyDeadline)
        let request = makeRequest(body, to: endpoint)

        var attempt = 0
        var lastStatus: Int?
        var lastError: (any Error)?
        var generator = SystemRandomNumberGenerator()
        while true {
            if Task.isCancelled {
                throw failure(signal, .cancelled, lastStatus, attempt, lastError, itemCount)
            }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw failure(signal, .deadlineExceeded, lastStatus, attempt, lastError, itemCount)
            }
            attempt += 1
            let attemptTimeout = min(endpoint.timeout, remaining)

            var retryAfter: Duration?
            switch await perform(request, timeout: attemptTimeout) {
            case .response(let status, let headers, let responseBody):
                lastStatus = status
                lastError = nil
                if (200..<300).contains(status) {
                    return delivered(signal, itemCount, attempt, responseBody)
                }
                guard [429, 502, 503, 504].contains(status) else {
                    throw failure(signal, .rejected, status, attempt, nil, itemCount)
                }
                retryAfter = headers.first(name: "Retry-After").flatMap { RetryAfter.delay(from: $0, now: Date()) }
            case .transportError(let error):
                lastError = error
                if Task.isCancelled {
                    throw failure(signal, .cancelled, lastStatus, attempt, error, itemCount)
                }
                if Self.isPermanent(error) {
                    throw failure(signal, .invalidRequest, nil, attempt, error, itemCount)
                }
            }

            guard attempt < policy.maxAttempts else {
                throw failure(signal, .retriesExhausted, lastStatus, attempt, lastError, itemCount)
            }
            let delay = retryAfter ?? policy.backoff(beforeRetry: attempt, using: &generator)
            // Waiting past the deadline only to fail there would hold up a shutdown for nothing.
            guard clock.now.advanced(by: delay) < deadline else {
                throw failure(signal, .deadlineExceeded, lastStatus, attempt, lastError, itemCount)
            }
            counters.withLock { $0[signal, default: OTLPExporterStatistics()].retries += 1 }
            onEvent?(.retrying(signal: signal, attempt: attempt, delay: delay, httpStatus: lastStatus))
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw failure(signal, .cancelled, lastStatus, attempt, lastError, itemCount)
            }
        }
    }

    private func makeRequest(_ body: [UInt8], to endpoint: Endpoint) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        for (name, value) in endpoint.headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        // Set after the configured headers so that a stray Content-Type in OTEL_EXPORTER_OTLP_HEADERS cannot
        // mislabel the protobuf body.
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/x-protobuf")
        if request.headers["User-Agent"].isEmpty {
            request.headers.add(name: "User-Agent", value: "swift-telemetry-otlp-http/1.0")
        }
        var payload = body
        if endpoint.compression == .gzip {
            // If zlib fails (out of memory), sending uncompressed is still correct: the header goes with it.
            if let compressed = try? Gzip.compress(body) {
                payload = compressed
                request.headers.replaceOrAdd(name: "Content-Encoding", value: "gzip")
            }
        }
        request.body = .bytes(ByteBuffer(bytes: payload))
        return request
    }

    private func perform(_ request: HTTPClientRequest, timeout: Duration) async -> AttemptOutcome {
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: .now() + .nanoseconds(timeout.wholeNanoseconds))
        } catch {
            return .transportError(error)
        }
        // The status decides; a body that cannot be read (too large, cut off) only loses partial-success detail.
        let body = (try? await response.body.collect(upTo: Self.maxResponseBodySize)).map { Array(buffer: $0) } ?? []
        return .response(status: Int(response.status.code), headers: response.headers, body: body)
    }

    private func delivered(
        _ signal: OTLPSignal, _ itemCount: Int, _ attempts: Int, _ body: [UInt8]
    ) -> OTLPExportResult {
        // An undecodable body on a 2xx is still a delivery: the collector said so with its status.
        let partial = (try? OTLPPartialSuccess(responseBody: body)) ?? nil
        let rejected = max(0, min(partial?.rejectedCount ?? 0, Int64(itemCount)))
        counters.withLock {
            $0[signal, default: OTLPExporterStatistics()].exportsSucceeded += 1
            $0[signal, default: OTLPExporterStatistics()].itemsExported += itemCount - Int(rejected)
            $0[signal, default: OTLPExporterStatistics()].itemsRejected += rejected
        }
        if rejected > 0 {
            onEvent?(.itemsRejected(signal: signal, count: rejected, message: partial?.errorMessage ?? ""))
        }
        return OTLPExportResult(
            itemCount: itemCount, rejectedCount: rejected, rejectionMessage: partial?.errorMessage ?? "",
            attempts: attempts)
    }

    private func failure(
        _ signal: OTLPSignal, _ kind: OTLPExportError.Kind, _ status: Int?, _ attempts: Int,
        _ underlying: (any Error)?, _ itemCount: Int
    ) -> OTLPExportError {
        let error = OTLPExportError(
            signal: signal, kind: kind, httpStatus: status, attempts: attempts, underlying: underlying)
        counters.withLock {
            $0[signal, default: OTLPExporterStatistics()].exportFailures += 1
            $0[signal, default: OTLPExporterStatistics()].itemsFailed += itemCount
        }
        onEvent?(.exportFailed(signal: signal, itemCount: itemCount, error: error))
        return error
    }

    /// Errors that another attempt cannot fix. Everything else from the transport (refused, reset, timed out,
    /// closed) is treated as a connection error and retried, as the OTLP specification asks.
    private static func isPermanent(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        // The scheme is validated when the configuration is read, so unsupportedScheme cannot occur here.
        return [HTTPClientError.invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown].contains(error)
    }
}
