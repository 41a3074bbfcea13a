import Foundation

/// Parses the `key1=value1,key2=value2` lists of the OpenTelemetry environment variables
/// (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`), percent-decoding keys and values as the
/// specification's W3C-baggage-like format requires.
enum OTLPKeyValueList {
    /// The pairs in order; empty entries (a trailing comma) are ignored.
    ///
    /// Errors name the setting but never echo its value, since header values are usually credentials.
    static func parse(_ text: String, setting: String) throws(TelemetryConfigurationError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw TelemetryConfigurationError(setting: setting, reason: "every entry must look like key=value")
            }
            let rawKey = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let rawValue = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !rawKey.isEmpty,
                let key = rawKey.removingPercentEncoding,
                let value = rawValue.removingPercentEncoding
            else {
                throw TelemetryConfigurationError(
                    setting: setting, reason: "an entry has an empty key or invalid percent-encoding")
            }
            pairs.append((key, value))
        }
        return pairs
    }
}
