import Foundation

extension MetricFamily {
    /// The family as one OTLP metric stream with cumulative temporality: a counter becomes a monotonic sum, a gauge a
    /// gauge, a histogram an explicit-bucket histogram with its exemplars. Names are kept exactly as registered, so
    /// that a collector's Prometheus exporter (with `add_metric_suffixes: false`) shows the same names as `/metrics`.
    public func otlpMetric(
        resource: OTLPResource, scope: OTLPInstrumentationScope, observedAt: Date, description: String = ""
    ) -> OTLPMetricData {
        let now = observedAt.unixNanoseconds
        let data: OTLPMetricData.Data
        switch kind {
        case .counter:
            data = .sum(
                isMonotonic: true, temporality: .cumulative,
                points: samples.compactMap { sample in
                    guard case .counter(let value) = sample.value else { return nil }
                    return OTLPNumberDataPoint(
                        attributes: sample.otlpAttributes, startTimeUnixNano: sample.startTime.unixNanoseconds,
                        timeUnixNano: now, value: .double(value))
                })
        case .gauge:
            data = .gauge(
                points: samples.compactMap { sample in
                    guard case .gauge(let value) = sample.value else { return nil }
                    return OTLPNumberDataPoint(
                        attributes: sample.otlpAttributes, timeUnixNano: now, value: .double(value))
                })
        case .histogram:
            data = .histogram(
                temporality: .cumulative,
                points: samples.compactMap { sample in
                    guard case .histogram(let histogram) = sample.value else { return nil }
                    return OTLPHistogramDataPoint(
                        attributes: sample.otlpAttributes, startTimeUnixNano: sample.startTime.unixNanoseconds,
                        timeUnixNano: now, count: histogram.count, sum: histogram.sum, bucketCounts: histogram.counts,
                        explicitBounds: histogram.bounds,
                        exemplars: histogram.exemplars.compactMap { $0?.otlpExemplar })
                })
        }
        return OTLPMetricData(
            resource: resource, scope: scope, name: name, description: description, unit: Self.unit(of: name),
            data: data)
    }

    /// UCUM units from the naming convention the registry's users follow (`_seconds`, `_bytes`); none otherwise.
    static func unit(of name: String) -> String {
        if name.hasSuffix("_seconds") { return "s" }
        if name.hasSuffix("_bytes") { return "By" }
        return ""
    }
}

extension MetricSample {
    var otlpAttributes: OTLPAttributes {
        OTLPAttributes(labels.map { ($0.name, OTLPAttributeValue.string($0.value)) })
    }
}

extension Exemplar {
    var otlpExemplar: OTLPExemplar {
        OTLPExemplar(
            timeUnixNano: time.unixNanoseconds, value: .double(value), spanID: context.spanID,
            traceID: context.traceID)
    }
}

extension Date {
    /// Nanoseconds since the Unix epoch (0 before it).
    var unixNanoseconds: UInt64 {
        let seconds = timeIntervalSince1970
        return seconds > 0 ? UInt64(seconds * 1e9) : 0
    }
}
