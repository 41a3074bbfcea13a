import Foundation

/// RFC 3339 timestamps as the API writes them (UTC, milliseconds) and reads them (with or without fractions).
public enum Timestamp {
    /// `2026-11-24T10:00:00.123Z`.
    public static func format(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    /// Parses `2026-11-24T10:00:00Z`, `2026-11-24T10:00:00.5Z` or an offset such as `+02:00`.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
