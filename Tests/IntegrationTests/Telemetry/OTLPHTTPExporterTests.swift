import Foundation
import Synchronization
import Telemetry
import TestSupport
import Testing

/// The exporter's delivery rules over real HTTP: retries per the OTLP/HTTP specification, deadlines, headers and
/// its own health counters.
@Suite("OTLP/HTTP exporter delivery")
struct OTLPHTTPExporterTests {
    /// Collects the exporter's events.
    final class EventLog: Sendable {
        private let events = Mutex<[OTLPExporterEvent]>([])
        func record(_ event: OTLPExporterEvent) { events.withLock { $0.append(event) } }
        var all: [OTLPExporterEvent] { events.withLock { $0 } }
        var retries: Int { all.filter { if case .retrying = $0 { true } else { false } }.count }
        var failures: [OTLPExportError] {
            all.compactMap { if case .exportFailed(_, _, let error) = $0 { error } else { nil } }
        }
    }

    static let fastRetry = OTLPHTTPExporter.RetryPolicy(
        maxAttempts: 4, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), maxElapsed: .seconds(20))

    static func exporter(
        tracesURL: String, retry: OTLPHTTPExporter.RetryPolicy = fastRetry, events: EventLog? = nil
    ) -> OTLPHTTPExporter {
        OTLPHTTPExporter(
            configuration: .init(traces: .init(url: tracesURL, timeout: .seconds(2)), retry: retry),
            onEvent: { event in events?.record(event) })
    }

    @Test("503 then 200: the batch is retried, honouring Retry-After, and delivered once")
    func retriesUnavailableHonouringRetryAfter() async throws {
        let events = EventLog()
        try await OTLPTestCollector.run(script: [.init(status: 503, headers: ["Retry-After": "1"]), .ok]) {
            baseURL, collector in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces", events: events)
            let result = try await exporter.export(OTLPFixtures.spans)
            let statistics = exporter.statistics(for: .traces)
            await exporter.shutdown()

            let requests = await collector.requests
            #expect(requests.count == 2)
            #expect(requests[0].body == requests[1].body)
            // Backoff alone is at most 20 ms here; the second request waits for the collector's Retry-After.
            let gap = requests[0].receivedAt.duration(to: requests[1].receivedAt)
            #expect(gap >= .milliseconds(950))
            #expect(result.attempts == 2 && result.itemCount == 4 && result.rejectedCount == 0)
            #expect(statistics.exportsSucceeded == 1 && statistics.retries == 1 && statistics.exportFailures == 0)
            #expect(statistics.itemsExported == 4)
            #expect(events.retries == 1)
            #expect(events.failures.isEmpty)
        }
    }

    @Test("429, 502 and 504 are retried with backoff until the collector accepts")
    func retriesThrottlingAndGatewayErrors() async throws {
        try await OTLPTestCollector.run(script: [.init(status: 429), .init(status: 502), .init(status: 504), .ok]) {
            baseURL, collector in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces")
            let result = try await exporter.export(OTLPFixtures.spans)
            await exporter.shutdown()
            #expect(result.attempts == 4)
            #expect(await collector.requests.count == 4)
        }
    }

    @Test("Retry-After as an HTTP date is honoured")
    func retryAfterHTTPDate() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        // Four seconds ahead: truncation to whole seconds and a slow collector start on a loaded machine must still
        // leave more than the 900 ms asserted below to wait.
        let date = formatter.string(from: Date().addingTimeInterval(4))
        try await OTLPTestCollector.run(script: [.init(status: 503, headers: ["Retry-After": date]), .ok]) {
            baseURL, collector in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces")
            try await exporter.export(OTLPFixtures.spans)
            await exporter.shutdown()
            let requests = await collector.requests
            try #require(requests.count == 2)
            #expect(requests[0].receivedAt.duration(to: requests[1].receivedAt) >= .milliseconds(900))
        }
    }

    @Test("400 is final: one request, the failure is reported and counted")
    func badRequestIsNotRetried() async throws {
        let events = EventLog()
        try await OTLPTestCollector.run(script: [.init(status: 400), .ok]) { baseURL, collector in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces", events: events)
            let error = await #expect(throws: OTLPExportError.self) {
                try await exporter.export(OTLPFixtures.spans)
            }
            let statistics = exporter.statistics(for: .traces)
            await exporter.shutdown()
            #expect(error?.kind == .rejected)
            #expect(error?.httpStatus == 400)
            #expect(error?.attempts == 1)
            #expect(await collector.requests.count == 1)
            #expect(statistics.exportFailures == 1 && statistics.itemsFailed == 4 && statistics.retries == 0)
            #expect(events.failures.map(\.signal) == [.traces])
            #expect(events.retries == 0)
        }
    }

    @Test("A 200 with partial_success counts the rejected items")
    func partialSuccessCountsRejected() async throws {
        // ExportTraceServiceResponse { partial_success { rejected_spans: 2, error_message: "bad" } }
        let body: [UInt8] = [0x0A, 0x07, 0x08, 0x02, 0x12, 0x03, 0x62, 0x61, 0x64]
        let events = EventLog()
        try await OTLPTestCollector.run(script: [.init(status: 200, body: body)]) { baseURL, _ in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces", events: events)
            let result = try await exporter.export(OTLPFixtures.spans)
            let statistics = exporter.statistics(for: .traces)
            await exporter.shutdown()
            #expect(result.rejectedCount == 2 && result.rejectionMessage == "bad")
            #expect(statistics.itemsRejected == 2 && statistics.itemsExported == 2 && statistics.exportFailures == 0)
            let rejected = events.all.compactMap { if case .itemsRejected(_, let count, _) = $0 { count } else { nil } }
            #expect(rejected == [2])
        }
    }

    @Test("Connection refused is retried, then reported as a failure")
    func connectionRefusedIsRetriedThenFails() async throws {
        let events = EventLog()
        // Nothing listens on port 1 of the loopback interface.
        let exporter = Self.exporter(tracesURL: "http://127.0.0.1:1/v1/traces", events: events)
        let started = ContinuousClock.now
        let error = await #expect(throws: OTLPExportError.self) {
            try await exporter.export(OTLPFixtures.spans)
        }
        let elapsed = started.duration(to: .now)
        let statistics = exporter.statistics(for: .traces)
        await exporter.shutdown()
        #expect(error?.kind == .retriesExhausted)
        #expect(error?.attempts == 4)
        #expect(error?.httpStatus == nil)
        #expect(elapsed < .seconds(5))
        #expect(events.retries == 3)
        #expect(statistics.exportFailures == 1 && statistics.retries == 3)
    }

    @Test("An unreachable collector cannot hold an export past the caller's deadline")
    func deadlineBoundsRetries() async throws {
        let retry = OTLPHTTPExporter.RetryPolicy(
            maxAttempts: 1_000, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50))
        let exporter = Self.exporter(tracesURL: "http://127.0.0.1:1/v1/traces", retry: retry)
        let started = ContinuousClock.now
        let error = await #expect(throws: OTLPExportError.self) {
            try await exporter.export(OTLPFixtures.spans, deadline: started + .milliseconds(400))
        }
        let elapsed = started.duration(to: .now)
        await exporter.shutdown()
        #expect(error?.kind == .deadlineExceeded)
        #expect((error?.attempts ?? 0) > 1)
        #expect(elapsed < .milliseconds(1_500))
    }

    @Test("A Retry-After reaching past the deadline fails the export at once instead of waiting to fail")
    func retryAfterPastDeadlineGivesUp() async throws {
        try await OTLPTestCollector.run(fallback: .init(status: 429, headers: ["Retry-After": "3600"])) {
            baseURL, collector in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces")
            let started = ContinuousClock.now
            let error = await #expect(throws: OTLPExportError.self) {
                try await exporter.export(OTLPFixtures.spans, deadline: started + .seconds(5))
            }
            await exporter.shutdown()
            #expect(error?.kind == .deadlineExceeded && error?.httpStatus == 429)
            #expect(started.duration(to: .now) < .seconds(2))
            #expect(await collector.requests.count == 1)
        }
    }

    @Test("Cancelling the exporting task ends a long Retry-After wait at once")
    func cancellationEndsTheWait() async throws {
        try await OTLPTestCollector.run(fallback: .init(status: 503, headers: ["Retry-After": "10"])) { baseURL, _ in
            let exporter = Self.exporter(tracesURL: baseURL + "/v1/traces")
            let started = ContinuousClock.now
            let task = Task { () -> OTLPExportError.Kind? in
                do {
                    try await exporter.export(OTLPFixtures.spans)
                    return nil
                } catch {
                    return (error as? OTLPExportError)?.kind
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let kind = await task.value
            await exporter.shutdown()
            #expect(kind == .cancelled)
            #expect(started.duration(to: .now) < .seconds(5))
        }
    }

    @Test("Headers from OTEL_EXPORTER_OTLP_HEADERS are sent, URL-decoded, and never shown in the description")
    func headersFromEnvironmentAreSent() async throws {
        try await OTLPTestCollector.run { baseURL, collector in
            let configuration = try OTLPHTTPExporter.Configuration(
                environment: [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": baseURL,
                    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20s3cr3t-token, x-tenant=acme%2Cbeta",
                ],
                retry: Self.fastRetry)
            #expect(!configuration.description.contains("s3cr3t"))
            #expect(configuration.description.lowercased().contains("authorization"))
            let exporter = OTLPHTTPExporter(configuration: configuration)
            try await exporter.export(OTLPFixtures.spans)
            try await exporter.export(OTLPFixtures.logs)
            await exporter.shutdown()
            let requests = await collector.requests
            #expect(requests.map(\.path) == ["/v1/traces", "/v1/logs"])
            for request in requests {
                #expect(request.headers["authorization"] == "Bearer s3cr3t-token")
                #expect(request.headers["x-tenant"] == "acme,beta")
                #expect(request.headers["content-type"] == "application/x-protobuf")
            }
        }
    }

    @Test("A signal without an endpoint is not exported")
    func disabledSignalIsSkipped() async throws {
        let exporter = OTLPHTTPExporter(configuration: .default)
        let result = try await exporter.export(OTLPFixtures.metrics)
        await exporter.shutdown()
        #expect(result.attempts == 0)
        #expect(!exporter.isEnabled(.metrics))
    }
}
