import Foundation
import Tracing

/// Bridges the tracer's batches to OTLP/HTTP: each ``FinishedSpan`` becomes an ``OTLPSpanData`` of this process's
/// resource and instrumentation scope.
public struct OTLPTraceExporter: SpanExporter {
    private let exporter: OTLPHTTPExporter
    private let resource: OTLPResource
    private let scope: OTLPInstrumentationScope
    private let exportTimeout: Duration

    /// Creates the bridge; the caller owns `exporter` and shuts it down.
    public init(
        exporter: OTLPHTTPExporter, resource: OTLPResource, scope: OTLPInstrumentationScope,
        exportTimeout: Duration = .seconds(30)
    ) {
        self.exporter = exporter
        self.resource = resource
        self.scope = scope
        self.exportTimeout = exportTimeout
    }

    public func export(_ batch: [FinishedSpan]) async throws {
        try await exporter.export(batch.map(convert), deadline: .now + exportTimeout)
    }

    public func forceFlush() async throws {}

    public func shutdown() async {}

    private func convert(_ span: FinishedSpan) -> OTLPSpanData {
        OTLPSpanData(
            resource: resource, scope: scope,
            traceID: span.traceID,
            spanID: span.spanID,
            parentSpanID: span.parentSpanID,
            traceState: span.context.traceState.headerValue,
            flags: UInt32(span.context.traceFlags.rawValue),
            name: span.name, kind: Self.kind(span.kind),
            startTimeUnixNano: span.startTimeNanosecondsSinceEpoch, endTimeUnixNano: span.endTimeNanosecondsSinceEpoch,
            attributes: Self.attributes(span.attributes),
            events: span.events.map {
                OTLPSpanData.Event(
                    name: $0.name, timeUnixNano: $0.timeNanosecondsSinceEpoch,
                    attributes: Self.attributes($0.attributes))
            },
            links: span.links.map {
                OTLPSpanData.Link(
                    traceID: $0.context.traceID,
                    spanID: $0.context.spanID, traceState: $0.context.traceState.headerValue,
                    attributes: Self.attributes($0.attributes), flags: UInt32($0.context.traceFlags.rawValue)
                )
            },
            status: Self.status(span.status)
        )
    }

    private static func kind(_ kind: SpanKind) -> OTLPSpanData.Kind {
        switch kind {
        case .internal: .internal
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        }
    }

    private static func status(_ status: SpanStatus?) -> OTLPSpanData.Status {
        guard let status else { return .unset }
        switch status.code {
        case .ok: return OTLPSpanData.Status(code: .ok)
        case .error: return OTLPSpanData.Status(code: .error, message: status.message ?? "")
        }
    }

    private static func attributes(_ attributes: [String: SpanAttributeValue]) -> OTLPAttributes {
        OTLPAttributes(
            attributes.sorted { $0.key < $1.key }.map { key, value -> (String, OTLPAttributeValue) in
                switch value {
                case .string(let text): (key, .string(text))
                case .int(let number): (key, .int(number))
                case .double(let number): (key, .double(number))
                case .bool(let flag): (key, .bool(flag))
                case .stringArray(let values): (key, .array(values.map { .string($0) }))
                case .intArray(let values): (key, .array(values.map { .int($0) }))
                case .doubleArray(let values): (key, .array(values.map { .double($0) }))
                case .boolArray(let values): (key, .array(values.map { .bool($0) }))
                }
            })
    }
}
