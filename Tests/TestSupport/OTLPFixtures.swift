import Telemetry

/// Sample telemetry covering every field the encoders write.
public enum OTLPFixtures {
    public static let traceID = TraceID(hexString: "4bf92f3577b34da6a3ce929d0e0e4736")!
    public static let otherTraceID = TraceID(hexString: "0af7651916cd43dd8448eb211c80319c")!
    public static let rootSpanID = SpanID(hexString: "00f067aa0ba902b7")!
    public static let childSpanID = SpanID(hexString: "b7ad6b7169203331")!
    public static let siblingSpanID = SpanID(hexString: "1111111111111111")!
    public static let remoteSpanID = SpanID(hexString: "2222222222222222")!
    public static let start: UInt64 = 1_764_400_000_000_000_000
    public static let end: UInt64 = 1_764_400_000_250_000_000

    public static let resource = OTLPResource(attributes: ["service.name": "checkout", "service.version": "1.2.3"])
    public static let otherResource = OTLPResource(attributes: ["service.name": "ledger"])
    public static let serverScope = OTLPInstrumentationScope(name: "HTTPServer", version: "2.0.0")
    public static let workerScope = OTLPInstrumentationScope(name: "Worker")

    public static var spans: [OTLPSpanData] {
        [
            OTLPSpanData(
                resource: resource, scope: serverScope, traceID: traceID, spanID: rootSpanID,
                traceState: "vendor=abc", name: "POST /orders", kind: .server,
                startTimeUnixNano: start, endTimeUnixNano: end,
                attributes: [
                    "order_id": "o-1", "attempt": 2, "retried": true, "ratio": 0.25, "tags": ["a", 7],
                    "negative": -5,
                ],
                events: [
                    .init(name: "validated", timeUnixNano: start + 1_000, attributes: ["rule": "amount"])
                ],
                status: .init(code: .error, message: "bank unavailable")
            ),
            OTLPSpanData(
                resource: resource, scope: workerScope, traceID: traceID, spanID: childSpanID,
                parentSpanID: rootSpanID, name: "Worker.notify", kind: .consumer,
                startTimeUnixNano: start + 10, endTimeUnixNano: end + 10,
                attributes: ["order_id": "o-1"],
                links: [
                    .init(
                        traceID: otherTraceID, spanID: remoteSpanID, traceState: "x=1",
                        attributes: ["link.reason": "retry"], flags: 1)
                ],
                status: .init(code: .ok),
                droppedAttributesCount: 3
            ),
            OTLPSpanData(
                resource: resource, scope: serverScope, traceID: traceID, spanID: siblingSpanID,
                parentSpanID: rootSpanID, name: "GET /orders/o-1", kind: .server,
                startTimeUnixNano: start + 20, endTimeUnixNano: end + 20
            ),
            OTLPSpanData(
                resource: otherResource, scope: serverScope, traceID: otherTraceID, spanID: remoteSpanID,
                name: "ledger.post", kind: .client, startTimeUnixNano: start, endTimeUnixNano: end
            ),
        ]
    }

    public static var metrics: [OTLPMetricData] {
        let scope = OTLPInstrumentationScope(name: "app-metrics", version: "1")
        return [
            OTLPMetricData(
                resource: resource, scope: scope, name: "orders_total", description: "Orders by status", unit: "1",
                data: .sum(
                    isMonotonic: true,
                    points: [
                        OTLPNumberDataPoint(
                            attributes: ["status": "completed"], startTimeUnixNano: start, timeUnixNano: end,
                            value: .int(3)),
                        OTLPNumberDataPoint(
                            attributes: ["status": "failed"], startTimeUnixNano: start, timeUnixNano: end,
                            value: .int(0)),
                    ])),
            OTLPMetricData(
                resource: resource, scope: scope, name: "circuit_state", description: "0 closed, 2 open",
                data: .gauge(points: [OTLPNumberDataPoint(timeUnixNano: end, value: .double(2))])),
            OTLPMetricData(
                resource: resource, scope: scope, name: "request_duration_seconds", description: "Latency",
                unit: "s",
                data: .histogram(points: [
                    OTLPHistogramDataPoint(
                        attributes: ["operation": "submit"], startTimeUnixNano: start, timeUnixNano: end, count: 4,
                        sum: 2.35, bucketCounts: [1, 2, 0, 1], explicitBounds: [0.1, 0.5, 1],
                        exemplars: [
                            OTLPExemplar(
                                timeUnixNano: end - 5, value: .double(0.42), spanID: rootSpanID, traceID: traceID)
                        ],
                        min: 0.05, max: 1.5)
                ])),
        ]
    }

    public static var logs: [OTLPLogRecord] {
        let scope = OTLPInstrumentationScope(name: "app-logs")
        return [
            OTLPLogRecord(
                resource: resource, scope: scope, timeUnixNano: start, observedTimeUnixNano: start + 1,
                severity: .info, severityText: "info", body: "Order accepted",
                attributes: ["order_id": "o-1"], traceID: traceID, spanID: rootSpanID, flags: 1),
            OTLPLogRecord(
                resource: resource, scope: scope, timeUnixNano: end, observedTimeUnixNano: end,
                severity: .error, severityText: "error", body: "Bank unavailable"),
        ]
    }
}
