import Foundation
import Telemetry
import TestSupport
import Testing

/// What we send, as the official OTLP definitions read it: every batch goes through the exporter to a loopback
/// collector, and the recorded body is decoded by `opentelemetry-proto`.
@Suite("OTLP requests decode with the official definitions")
struct OTLPOfficialDecodingTests {
    static func exporter(baseURL: String, compression: OTLPHTTPExporter.Compression = .none) -> OTLPHTTPExporter {
        OTLPHTTPExporter(
            configuration: .init(
                traces: .init(url: baseURL + "/v1/traces", compression: compression),
                metrics: .init(url: baseURL + "/v1/metrics", compression: compression),
                logs: .init(url: baseURL + "/v1/logs", compression: compression),
                retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(5))))
    }

    @Test("A trace request groups spans by resource, then scope, keeping ids, attributes, events, links and status")
    func traces() async throws {
        let (request, decoded) = try await OTLPTestCollector.run { baseURL, collector in
            let exporter = Self.exporter(baseURL: baseURL)
            let result = try await exporter.export(OTLPFixtures.spans)
            await exporter.shutdown()
            #expect(result.itemCount == 4 && result.attempts == 1)
            let request = try #require(await collector.requests.first)
            return (request, try OTLPOfficialDecoder.decode(request.body, signal: "traces"))
        }
        #expect(request.path == "/v1/traces")
        #expect(request.headers["content-type"] == "application/x-protobuf")
        #expect(request.headers["content-encoding"] == nil)
        #expect(decoded.unknownFieldCount == 0)
        #expect(decoded.canonical)

        let resources = OTLPJSON.objects(decoded.message, "resourceSpans")
        try #require(resources.count == 2)
        let resourceAttributes = OTLPJSON.attributes((resources[0]["resource"] as? [String: Any])?["attributes"])
        #expect(resourceAttributes["service.name"] as? String == "checkout")
        #expect(resourceAttributes["service.version"] as? String == "1.2.3")
        let otherAttributes = OTLPJSON.attributes((resources[1]["resource"] as? [String: Any])?["attributes"])
        #expect(otherAttributes["service.name"] as? String == "ledger")

        let scopes = OTLPJSON.objects(resources[0], "scopeSpans")
        try #require(scopes.count == 2)
        #expect((scopes[0]["scope"] as? [String: Any])?["name"] as? String == "HTTPServer")
        #expect((scopes[0]["scope"] as? [String: Any])?["version"] as? String == "2.0.0")
        #expect((scopes[1]["scope"] as? [String: Any])?["name"] as? String == "Worker")
        let serverSpans = OTLPJSON.objects(scopes[0], "spans")
        #expect(serverSpans.map { $0["name"] as? String } == ["POST /orders", "GET /orders/o-1"])

        let root = serverSpans[0]
        #expect(root["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(root["spanId"] as? String == "00f067aa0ba902b7")
        #expect(root["parentSpanId"] == nil)
        #expect(root["traceState"] as? String == "vendor=abc")
        #expect(root["kind"] as? String == "SPAN_KIND_SERVER")
        #expect(root["flags"] as? Int == 1)
        #expect(root["startTimeUnixNano"] as? String == "\(OTLPFixtures.start)")
        #expect(root["endTimeUnixNano"] as? String == "\(OTLPFixtures.end)")
        let attributes = OTLPJSON.attributes(root["attributes"])
        #expect(attributes["order_id"] as? String == "o-1")
        #expect(attributes["attempt"] as? String == "2")
        #expect(attributes["negative"] as? String == "-5")
        #expect(attributes["retried"] as? Bool == true)
        #expect(attributes["ratio"] as? Double == 0.25)
        let tags = try #require(attributes["tags"] as? [Any])
        #expect(tags.first as? String == "a" && tags.last as? String == "7")
        let event = try #require(OTLPJSON.objects(root, "events").first)
        #expect(event["name"] as? String == "validated")
        #expect(event["timeUnixNano"] as? String == "\(OTLPFixtures.start + 1_000)")
        #expect(OTLPJSON.attributes(event["attributes"])["rule"] as? String == "amount")
        let status = try #require(root["status"] as? [String: Any])
        #expect(status["code"] as? String == "STATUS_CODE_ERROR")
        #expect(status["message"] as? String == "bank unavailable")

        let child = try #require(OTLPJSON.objects(scopes[1], "spans").first)
        #expect(child["parentSpanId"] as? String == "00f067aa0ba902b7")
        #expect(child["kind"] as? String == "SPAN_KIND_CONSUMER")
        #expect(child["droppedAttributesCount"] as? Int == 3)
        #expect((child["status"] as? [String: Any])?["code"] as? String == "STATUS_CODE_OK")
        let link = try #require(OTLPJSON.objects(child, "links").first)
        #expect(link["traceId"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(link["spanId"] as? String == "2222222222222222")
        #expect(link["traceState"] as? String == "x=1")
        #expect(link["flags"] as? Int == 1)
        #expect(OTLPJSON.attributes(link["attributes"])["link.reason"] as? String == "retry")
        #expect(serverSpans[1]["status"] == nil)
    }

    @Test("A metrics request carries sums, gauges and histograms with buckets, bounds and exemplars")
    func metrics() async throws {
        let decoded = try await OTLPTestCollector.run { baseURL, collector in
            let exporter = Self.exporter(baseURL: baseURL)
            let result = try await exporter.export(OTLPFixtures.metrics)
            await exporter.shutdown()
            #expect(result.itemCount == 4)
            let request = try #require(await collector.requests.first)
            #expect(request.path == "/v1/metrics")
            return try OTLPOfficialDecoder.decode(request.body, signal: "metrics")
        }
        #expect(decoded.unknownFieldCount == 0)
        #expect(decoded.canonical)
        let resource = try #require(OTLPJSON.objects(decoded.message, "resourceMetrics").first)
        let scope = try #require(OTLPJSON.objects(resource, "scopeMetrics").first)
        #expect((scope["scope"] as? [String: Any])?["name"] as? String == "app-metrics")
        let metrics = OTLPJSON.objects(scope, "metrics")
        try #require(metrics.count == 3)

        let counter = metrics[0]
        #expect(counter["name"] as? String == "orders_total")
        #expect(counter["description"] as? String == "Orders by status")
        #expect(counter["unit"] as? String == "1")
        let sum = try #require(counter["sum"] as? [String: Any])
        #expect(sum["isMonotonic"] as? Bool == true)
        #expect(sum["aggregationTemporality"] as? String == "AGGREGATION_TEMPORALITY_CUMULATIVE")
        let points = OTLPJSON.objects(sum, "dataPoints")
        #expect(points.map { $0["asInt"] as? String } == ["3", "0"])
        #expect(points.map { OTLPJSON.attributes($0["attributes"])["status"] as? String } == ["completed", "failed"])
        #expect(points[0]["startTimeUnixNano"] as? String == "\(OTLPFixtures.start)")
        #expect(points[0]["timeUnixNano"] as? String == "\(OTLPFixtures.end)")

        let gauge = try #require(metrics[1]["gauge"] as? [String: Any])
        #expect(OTLPJSON.objects(gauge, "dataPoints").first?["asDouble"] as? Double == 2)

        let histogram = try #require(metrics[2]["histogram"] as? [String: Any])
        #expect(metrics[2]["unit"] as? String == "s")
        #expect(histogram["aggregationTemporality"] as? String == "AGGREGATION_TEMPORALITY_CUMULATIVE")
        let point = try #require(OTLPJSON.objects(histogram, "dataPoints").first)
        #expect(point["count"] as? String == "4")
        #expect(point["sum"] as? Double == 2.35)
        #expect(point["bucketCounts"] as? [String] == ["1", "2", "0", "1"])
        #expect(point["explicitBounds"] as? [Double] == [0.1, 0.5, 1])
        #expect(point["min"] as? Double == 0.05)
        #expect(point["max"] as? Double == 1.5)
        #expect(OTLPJSON.attributes(point["attributes"])["operation"] as? String == "submit")
        let exemplar = try #require(OTLPJSON.objects(point, "exemplars").first)
        #expect(exemplar["asDouble"] as? Double == 0.42)
        #expect(exemplar["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(exemplar["spanId"] as? String == "00f067aa0ba902b7")
        #expect(exemplar["timeUnixNano"] as? String == "\(OTLPFixtures.end - 5)")
        #expect(exemplar["filteredAttributes"] == nil)
    }

    @Test("A logs request carries severity, body, attributes and trace context")
    func logs() async throws {
        let decoded = try await OTLPTestCollector.run { baseURL, collector in
            let exporter = Self.exporter(baseURL: baseURL)
            try await exporter.export(OTLPFixtures.logs)
            await exporter.shutdown()
            let request = try #require(await collector.requests.first)
            #expect(request.path == "/v1/logs")
            return try OTLPOfficialDecoder.decode(request.body, signal: "logs")
        }
        #expect(decoded.unknownFieldCount == 0)
        #expect(decoded.canonical)
        let resource = try #require(OTLPJSON.objects(decoded.message, "resourceLogs").first)
        let scope = try #require(OTLPJSON.objects(resource, "scopeLogs").first)
        let records = OTLPJSON.objects(scope, "logRecords")
        try #require(records.count == 2)
        #expect(records[0]["severityNumber"] as? String == "SEVERITY_NUMBER_INFO")
        #expect(records[0]["severityText"] as? String == "info")
        #expect(OTLPJSON.anyValue(records[0]["body"]) as? String == "Order accepted")
        #expect(records[0]["traceId"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(records[0]["spanId"] as? String == "00f067aa0ba902b7")
        #expect(records[0]["flags"] as? Int == 1)
        #expect(records[0]["timeUnixNano"] as? String == "\(OTLPFixtures.start)")
        #expect(records[0]["observedTimeUnixNano"] as? String == "\(OTLPFixtures.start + 1)")
        #expect(OTLPJSON.attributes(records[0]["attributes"])["order_id"] as? String == "o-1")
        #expect(records[1]["severityNumber"] as? String == "SEVERITY_NUMBER_ERROR")
        #expect(records[1]["traceId"] == nil)
    }

    @Test("With gzip configured the body is gzip, labelled Content-Encoding: gzip, and decodes")
    func gzip() async throws {
        let (request, decoded) = try await OTLPTestCollector.run { baseURL, collector in
            let exporter = Self.exporter(baseURL: baseURL, compression: .gzip)
            try await exporter.export(OTLPFixtures.spans)
            await exporter.shutdown()
            let request = try #require(await collector.requests.first)
            return (request, try OTLPOfficialDecoder.decode(request.body, signal: "traces", gzipped: true))
        }
        #expect(request.headers["content-encoding"] == "gzip")
        #expect(request.headers["content-type"] == "application/x-protobuf")
        #expect(request.body.starts(with: [0x1F, 0x8B]))
        #expect(request.body.count < OTLPProtobufEncoder.exportTraceServiceRequest(OTLPFixtures.spans).count)
        #expect(decoded.unknownFieldCount == 0)
        let spans = OTLPJSON.objects(
            OTLPJSON.objects(OTLPJSON.objects(decoded.message, "resourceSpans").first, "scopeSpans").first, "spans")
        #expect(spans.first?["name"] as? String == "POST /orders")
    }
}
