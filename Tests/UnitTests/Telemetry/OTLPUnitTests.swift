import Foundation
import PaymentsSupport
import Testing

@testable import Telemetry

/// The exporter's I/O-free pieces: the wire format, configuration from the environment, Retry-After and backoff.
@Suite("OTLP exporter building blocks")
struct OTLPUnitTests {
    @Test("Varints, fixed values, strings and nested messages follow the protobuf wire format")
    func wireFormat() {
        var writer = ProtobufWriter()
        writer.writeUInt64(1, 150)
        writer.writeInt64(2, -1)
        writer.writeFixed64(3, 1)
        writer.writeString(4, "hi")
        writer.writeMessage(5) { $0.writeBool(1, true) }
        writer.writeUInt64(6, 0)
        writer.writeString(7, "")
        writer.writePackedDouble(8, [1])
        #expect(
            writer.bytes == [
                0x08, 0x96, 0x01,
                0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                0x19, 0x01, 0, 0, 0, 0, 0, 0, 0,
                0x22, 0x02, 0x68, 0x69,
                0x2A, 0x02, 0x08, 0x01,
                0x42, 0x08, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
            ])
    }

    @Test("A nested message longer than 127 bytes gets a two-byte length")
    func longNestedMessage() {
        var writer = ProtobufWriter()
        writer.writeMessage(1) { $0.writeString(1, String(repeating: "x", count: 200)) }
        #expect(Array(writer.bytes.prefix(5)) == [0x0A, 0xCB, 0x01, 0x0A, 0xC8])
        #expect(writer.bytes.count == 3 + 3 + 200)
    }

    @Test("partial_success is decoded, unknown fields are skipped, and its absence means full success")
    func partialSuccess() throws {
        let body: [UInt8] = [0x10, 0x05, 0x0A, 0x07, 0x08, 0x02, 0x12, 0x03, 0x62, 0x61, 0x64]
        let partial = try #require(try OTLPPartialSuccess(responseBody: body))
        #expect(partial == OTLPPartialSuccess(rejectedCount: 2, errorMessage: "bad"))
        #expect(try OTLPPartialSuccess(responseBody: []) == nil)
        #expect(throws: OTLPPartialSuccess.DecodingError.self) {
            try OTLPPartialSuccess(responseBody: [0x0A, 0x09, 0x08])
        }
    }

    @Test("gzip output has the gzip magic and shrinks repetitive bodies")
    func gzipCompresses() throws {
        let input = [UInt8](repeating: 0x41, count: 10_000)
        let output = try Gzip.compress(input)
        #expect(output.starts(with: [0x1F, 0x8B, 0x08]))
        #expect(output.count < 200)
    }

    @Test("The base endpoint gets /v1/<signal>; a signal's own endpoint is used as is")
    func endpointsFromEnvironment() throws {
        let configuration = try OTLPHTTPExporter.Configuration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "https://metrics.example:443/custom",
            "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
            "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "none",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
        ])
        #expect(configuration.traces?.url == "http://collector:4318/v1/traces")
        #expect(configuration.metrics?.url == "https://metrics.example:443/custom")
        #expect(configuration.logs?.url == "http://collector:4318/v1/logs")
        #expect(configuration.traces?.compression == .gzip)
        #expect(configuration.logs?.compression == OTLPHTTPExporter.Compression.none)
        #expect(configuration.traces?.timeout == .milliseconds(2500))
        #expect(try OTLPHTTPExporter.Configuration(environment: [:]).traces == nil)
        #expect(OTLPHTTPExporter.Configuration.default.traces == nil)
        let disabled = try OTLPHTTPExporter.Configuration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true",
        ])
        #expect(disabled.traces == nil && disabled.metrics == nil && disabled.logs == nil)
        let onlyTraces = try OTLPHTTPExporter.Configuration(environment: [
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces",
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "100",
        ])
        #expect(onlyTraces.traces?.timeout == .milliseconds(100))
        #expect(onlyTraces.metrics == nil)
    }

    @Test("A bad setting is named in the error without echoing its value")
    func badSettingsAreNamed() {
        let base = "http://c:4318"
        let cases: [([String: String], String)] = [
            (["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"], "OTEL_EXPORTER_OTLP_ENDPOINT"),
            (["OTEL_EXPORTER_OTLP_TIMEOUT": "soon"], "OTEL_EXPORTER_OTLP_TIMEOUT"),
            (["OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"], "OTEL_EXPORTER_OTLP_COMPRESSION"),
            (["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"], "OTEL_EXPORTER_OTLP_PROTOCOL"),
            (["OTEL_EXPORTER_OTLP_HEADERS": "api-key-s3cr3t"], "OTEL_EXPORTER_OTLP_HEADERS"),
        ]
        for (settings, setting) in cases {
            let environment = settings.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": base]) { own, _ in own }
            do {
                _ = try OTLPHTTPExporter.Configuration(environment: Environment(environment))
                Issue.record("\(setting) was accepted")
            } catch {
                let text = String(describing: error)
                #expect(error.setting == setting)
                #expect(text.hasPrefix(setting))
                #expect(!text.contains("s3cr3t") && !text.contains("zstd") && !text.contains("grpc"))
            }
        }
    }

    @Test("The resource takes OTEL_RESOURCE_ATTRIBUTES, and OTEL_SERVICE_NAME wins over its service.name")
    func resourceFromEnvironment() throws {
        let resource = try OTLPResource(
            environment: [
                "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attributes,deployment.environment=prod%20eu",
                "OTEL_SERVICE_NAME": "orders",
            ],
            defaultServiceName: "default-name", serviceVersion: "1.0.0", serviceInstanceID: "i-1")
        #expect(resource.attributes["service.name"] == .string("orders"))
        #expect(resource.attributes["deployment.environment"] == .string("prod eu"))
        #expect(resource.attributes["service.version"] == .string("1.0.0"))
        #expect(resource.attributes["service.instance.id"] == .string("i-1"))
        let fallback = try OTLPResource(environment: [:], defaultServiceName: "default-name")
        #expect(fallback.attributes["service.name"] == .string("default-name"))
    }

    @Test("Retry-After is read as seconds or as an HTTP date")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.delay(from: "120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay(from: "Sunday, 06-Nov-94 08:49:39 GMT", now: now) == .seconds(2))
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.delay(from: "soon", now: now) == nil)
        #expect(RetryAfter.delay(from: "-3", now: now) == nil)
    }

    @Test("Backoff is full jitter under a doubling, capped ceiling")
    func backoffBounds() {
        let policy = OTLPHTTPExporter.RetryPolicy(initialBackoff: .seconds(1), maxBackoff: .seconds(5))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            #expect(policy.backoff(beforeRetry: 1, using: &generator) <= .seconds(1))
            #expect(policy.backoff(beforeRetry: 3, using: &generator) <= .seconds(4))
            #expect(policy.backoff(beforeRetry: 10, using: &generator) <= .seconds(5))
        }
        let samples = (0..<200).map { _ in policy.backoff(beforeRetry: 3, using: &generator) }
        #expect(samples.contains { $0 > .seconds(2) } && samples.contains { $0 < .seconds(2) })
    }

    @Test("Trace and span ids round-trip through hex and bytes")
    func ids() {
        let trace = TraceID(hexString: "4bf92f3577b34da6a3ce929d0e0e4736")!
        #expect(trace.hexString == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.bytes.count == 16 && trace.bytes.first == 0x4B && trace.bytes.last == 0x36)
        #expect(SpanID(hexString: "00f067aa0ba902b7")!.bytes == [0x00, 0xF0, 0x67, 0xAA, 0x0B, 0xA9, 0x02, 0xB7])
        #expect(TraceID(hexString: "xyz") == nil)
    }
}
