// Field numbers: opentelemetry/proto/collector/metrics/v1/metrics_service.proto and metrics/v1/metrics.proto.
extension ProtobufWriter {
    /// `Metric`: name = 1, description = 2, unit = 3, gauge = 5, sum = 7, histogram = 9.
    mutating func writeMetric(_ field: Int, _ metric: OTLPMetricData) {
        writeMessage(field) { message in
            message.writeString(1, metric.name)
            message.writeString(2, metric.description)
            message.writeString(3, metric.unit)
            switch metric.data {
            case .gauge(let points):
                // Gauge: data_points = 1
                message.writeMessage(5) { gauge in
                    for point in points { gauge.writeNumberDataPoint(1, point) }
                }
            case .sum(let isMonotonic, let temporality, let points):
                // Sum: data_points = 1, aggregation_temporality = 2, is_monotonic = 3
                message.writeMessage(7) { sum in
                    for point in points { sum.writeNumberDataPoint(1, point) }
                    sum.writeUInt64(2, UInt64(temporality.rawValue))
                    sum.writeBool(3, isMonotonic)
                }
            case .histogram(let temporality, let points):
                // Histogram: data_points = 1, aggregation_temporality = 2
                message.writeMessage(9) { histogram in
                    for point in points { histogram.writeHistogramDataPoint(1, point) }
                    histogram.writeUInt64(2, UInt64(temporality.rawValue))
                }
            }
        }
    }

    /// `NumberDataPoint`: start_time_unix_nano = 2, time_unix_nano = 3, as_double = 4, exemplars = 5,
    /// as_int = 6 (sfixed64), attributes = 7, flags = 8.
    mutating func writeNumberDataPoint(_ field: Int, _ point: OTLPNumberDataPoint) {
        writeMessage(field) { message in
            message.writeFixed64(2, point.startTimeUnixNano)
            message.writeFixed64(3, point.timeUnixNano)
            if case .double(let value) = point.value { message.writeDouble(4, value, always: true) }
            for exemplar in point.exemplars { message.writeExemplar(5, exemplar) }
            if case .int(let value) = point.value { message.writeSFixed64(6, value, always: true) }
            message.writeAttributes(7, point.attributes)
            message.writeUInt64(8, UInt64(point.flags))
        }
    }

    /// `HistogramDataPoint`: start_time_unix_nano = 2, time_unix_nano = 3, count = 4 (fixed64), sum = 5
    /// (optional), bucket_counts = 6 (packed fixed64), explicit_bounds = 7 (packed double), exemplars = 8,
    /// attributes = 9, flags = 10, min = 11, max = 12 (optional).
    mutating func writeHistogramDataPoint(_ field: Int, _ point: OTLPHistogramDataPoint) {
        writeMessage(field) { message in
            message.writeFixed64(2, point.startTimeUnixNano)
            message.writeFixed64(3, point.timeUnixNano)
            message.writeFixed64(4, point.count)
            // `optional` fields have explicit presence: written whenever set, even to 0.
            if let sum = point.sum { message.writeDouble(5, sum, always: true) }
            message.writePackedFixed64(6, point.bucketCounts)
            message.writePackedDouble(7, point.explicitBounds)
            for exemplar in point.exemplars { message.writeExemplar(8, exemplar) }
            message.writeAttributes(9, point.attributes)
            message.writeUInt64(10, UInt64(point.flags))
            if let min = point.min { message.writeDouble(11, min, always: true) }
            if let max = point.max { message.writeDouble(12, max, always: true) }
        }
    }

    /// `Exemplar`: time_unix_nano = 2, as_double = 3, span_id = 4, trace_id = 5, as_int = 6 (sfixed64),
    /// filtered_attributes = 7.
    mutating func writeExemplar(_ field: Int, _ exemplar: OTLPExemplar) {
        writeMessage(field) { message in
            message.writeFixed64(2, exemplar.timeUnixNano)
            if case .double(let value) = exemplar.value { message.writeDouble(3, value, always: true) }
            if let spanID = exemplar.spanID, spanID.isValid { message.writeSpanID(4, spanID) }
            if let traceID = exemplar.traceID, traceID.isValid { message.writeTraceID(5, traceID) }
            if case .int(let value) = exemplar.value { message.writeSFixed64(6, value, always: true) }
            message.writeAttributes(7, exemplar.filteredAttributes)
        }
    }
}
