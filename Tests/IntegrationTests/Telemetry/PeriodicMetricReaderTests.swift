import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Telemetry
import TestSupport
import Testing
import Tracing

/// The metric reader and the OTLP log handler over real HTTP, decoded with the official definitions.
@Suite("Periodic metric export and OTLP log records")
struct PeriodicMetricReaderTests {
    static let resource = OTLPResource(attributes: ["service.name": "reader-test"])
    static let scope = OTLPInstrumentationScope(name: "reader-test")

    static func exporter(_ baseURL: String) -> OTLPHTTPExporter {
        OTLPHTTPExporter(
            configuration: .init(
                metrics: .init(url: baseURL + "/v1/metrics"), logs: .init(url: baseURL + "/v1/logs"),
                retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(5))))
    }

    @Test(
        "Exports on its interval and once more at shutdown; a destroyed series is ended with the no-recorded-value flag"
    )
    func exportsAndEndsVanishedSeries() async throws {
        let registry = MetricsRegistry()
        let requests = try await OTLPTestCollector.run { baseURL, collector in
            let exporter = Self.exporter(baseURL)
            let reader = PeriodicMetricReader(
                registry: registry, exporter: exporter, resource: Self.resource, scope: Self.scope,
                descriptions: ["jobs_total": "Jobs done."],
                configuration: .init(interval: .milliseconds(100), timeout: .seconds(2)))
            let gauge = Gauge(label: "retry_count", dimensions: [("job", "j-1")], factory: registry)
            gauge.record(3)
            Counter(label: "jobs_total", factory: registry).increment(by: 2)
            let group = ServiceGroup(services: [reader], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await Self.waitFor { await collector.requests.count >= 1 }
                gauge.destroy()
                let seen = await collector.requests.count
                try await Self.waitFor { await collector.requests.count >= seen + 1 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            await exporter.shutdown()
            return await collector.requests
        }
        let decoded = try requests.map { try OTLPOfficialDecoder.decode($0.body, signal: "metrics") }
        #expect(decoded.allSatisfy { $0.unknownFieldCount == 0 })
        func metrics(_ message: [String: Any]) -> [[String: Any]] {
            OTLPJSON.objects(message, "resourceMetrics").flatMap { OTLPJSON.objects($0, "scopeMetrics") }
                .flatMap { OTLPJSON.objects($0, "metrics") }
        }
        let first = metrics(decoded[0].message)
        let gaugePoint = try #require(
            first.first { $0["name"] as? String == "retry_count" }.map { OTLPJSON.objects($0["gauge"], "dataPoints") }?
                .first)
        #expect(gaugePoint["asDouble"] as? Double == 3)
        let jobs = try #require(first.first { $0["name"] as? String == "jobs_total" })
        #expect(jobs["description"] as? String == "Jobs done.")
        #expect((jobs["sum"] as? [String: Any])?["isMonotonic"] as? Bool == true)
        #expect(OTLPJSON.objects(jobs["sum"], "dataPoints").first?["startTimeUnixNano"] != nil)

        // The export after the gauge was destroyed ends its series once; later exports no longer mention it.
        let ending = decoded.dropFirst().compactMap { message in
            metrics(message.message).first { $0["name"] as? String == "retry_count" }
        }
        let ended = try #require(ending.first.map { OTLPJSON.objects($0["gauge"], "dataPoints") }?.first)
        #expect(ended["flags"] as? Int == 1)
        #expect(OTLPJSON.attributes(ended["attributes"])["job"] as? String == "j-1")
        #expect(ending.count == 1)
        // The last export was the shutdown one and still carries the counter.
        #expect(metrics(decoded.last!.message).contains { $0["name"] as? String == "jobs_total" })
    }

    @Test("Log lines become OTLP records with severity, body, flattened metadata and the active span's ids")
    func logRecords() async throws {
        let requests = try await OTLPTestCollector.run { baseURL, collector in
            let exporter = Self.exporter(baseURL)
            let processor = BatchProcessor<OTLPLogRecord, ContinuousClock>(
                name: "logs", exporting: .init { try await exporter.export($0) },
                configuration: .init(scheduleDelay: .milliseconds(50)), clock: .continuous)
            let logger = Logger(label: "orders") {
                OTLPLogHandler(label: $0, resource: Self.resource, processor: processor)
            }
            let group = ServiceGroup(services: [processor], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var context = ServiceContext.topLevel
                context.spanContext = SpanContext(
                    traceID: TraceID(hexString: "4bf92f3577b34da6a3ce929d0e0e4736")!,
                    spanID: SpanID(hexString: "00f067aa0ba902b7")!, traceFlags: .sampled)
                ServiceContext.$current.withValue(context) {
                    logger.warning("Order held", metadata: ["order_id": "o-1", "peer": ["name": "bank"], "tries": "2"])
                }
                logger.debug("below the level")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            await exporter.shutdown()
            return await collector.requests
        }
        let records = try requests.flatMap { request in
            let message = try OTLPOfficialDecoder.decode(request.body, signal: "logs").message
            return OTLPJSON.objects(message, "resourceLogs").flatMap { OTLPJSON.objects($0, "scopeLogs") }
                .flatMap { OTLPJSON.objects($0, "logRecords") }
        }
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record["severityNumber"] as? String == "SEVERITY_NUMBER_WARN")
        #expect(record["severityText"] as? String == "warning")
        #expect((record["body"] as? [String: Any])?["stringValue"] as? String == "Order held")
        #expect(record["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(record["spanId"] as? String == "00f067aa0ba902b7")
        let attributes = OTLPJSON.attributes(record["attributes"])
        #expect(attributes["order_id"] as? String == "o-1")
        #expect(attributes["peer.name"] as? String == "bank")
        #expect(attributes["trace_id"] == nil)
    }

    static func waitFor(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 10 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
