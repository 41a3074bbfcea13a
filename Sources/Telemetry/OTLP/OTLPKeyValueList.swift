import PaymentsSupport

/// The `key1=value1,key2=value2` lists of the OpenTelemetry environment variables (`OTEL_EXPORTER_OTLP_HEADERS`,
/// `OTEL_RESOURCE_ATTRIBUTES`), with keys and values percent-decoded as the specification asks.
enum OTLPKeyValueList {
    /// The pairs in order, or `nil` when an entry is not `key=value` or is badly encoded; empty entries (a trailing
    /// comma) are ignored.
    static func parse(_ text: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingASCIIWhitespace()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { return nil }
            let rawKey = trimmed[..<equals].trimmingASCIIWhitespace()
            let rawValue = trimmed[trimmed.index(after: equals)...].trimmingASCIIWhitespace()
            guard !rawKey.isEmpty, let key = PercentEncoding.decode(rawKey),
                let value = PercentEncoding.decode(rawValue)
            else { return nil }
            pairs.append((key, value))
        }
        return pairs
    }
}
