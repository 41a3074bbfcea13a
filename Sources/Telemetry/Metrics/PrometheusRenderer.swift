import Foundation

/// Renders a ``MetricsRegistry`` snapshot as the Prometheus text format (0.0.4) or as OpenMetrics 1.0, which adds
/// exemplars (`trace_id`, `span_id`) to histogram buckets.
public enum PrometheusRenderer {
    /// The exposition format.
    public enum Format: Sendable {
        case prometheus
        case openMetrics

        /// The `Content-Type` to answer with.
        public var contentType: String {
            switch self {
            case .prometheus: "text/plain; version=0.0.4; charset=utf-8"
            case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
            }
        }

        /// The format a scraper asked for with its `Accept` header.
        public static func negotiate(accept: String?) -> Format {
            accept?.contains("application/openmetrics-text") == true ? .openMetrics : .prometheus
        }
    }

    /// The text; `help` gives each metric's `# HELP` line (the name stands in where none is given).
    public static func render(_ families: [MetricFamily], format: Format, help: [String: String] = [:]) -> String {
        var out = ""
        for family in families {
            // OpenMetrics names a counter family without `_total`; its samples keep the suffix.
            let familyName =
                format == .openMetrics && family.kind == .counter && family.name.hasSuffix("_total")
                ? String(family.name.dropLast(6)) : family.name
            let text = (help[family.name] ?? family.name.replacingOccurrences(of: "_", with: " "))
                .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            out += "# HELP \(familyName) \(text)\n"
            out += "# TYPE \(familyName) \(family.kind.rawValue)\n"
            for sample in family.samples {
                switch sample.value {
                case .counter(let value):
                    let name =
                        family.name.hasSuffix("_total") || format == .prometheus ? family.name : family.name + "_total"
                    out += "\(name)\(labels(sample.labels)) \(number(value))\n"
                case .gauge(let value):
                    out += "\(family.name)\(labels(sample.labels)) \(number(value))\n"
                case .histogram(let histogram):
                    var cumulative: UInt64 = 0
                    for index in histogram.counts.indices {
                        cumulative += histogram.counts[index]
                        let bound = index < histogram.bounds.count ? number(histogram.bounds[index]) : "+Inf"
                        out += "\(family.name)_bucket\(labels(sample.labels + [LabelPair("le", bound)])) \(cumulative)"
                        if format == .openMetrics, let exemplar = histogram.exemplars[index] {
                            out +=
                                " # {trace_id=\"\(exemplar.context.traceID.hexString)\",span_id=\"\(exemplar.context.spanID.hexString)\"} \(number(exemplar.value)) \(String(format: "%.3f", exemplar.time.timeIntervalSince1970))"
                        }
                        out += "\n"
                    }
                    out += "\(family.name)_sum\(labels(sample.labels)) \(number(histogram.sum))\n"
                    out += "\(family.name)_count\(labels(sample.labels)) \(histogram.count)\n"
                }
            }
        }
        if format == .openMetrics { out += "# EOF\n" }
        return out
    }

    private static func labels(_ pairs: [LabelPair]) -> String {
        guard !pairs.isEmpty else { return "" }
        return "{" + pairs.map { "\($0.name)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    private static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
