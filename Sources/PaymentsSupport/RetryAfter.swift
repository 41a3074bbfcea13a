import Foundation

/// Reads an HTTP `Retry-After` value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in any of the three forms a
/// recipient must accept (IMF-fixdate, the obsolete RFC 850 form and asctime).
///
/// A date in the past asks for no wait. Fractions of a millisecond round up, so a retry never comes sooner than the
/// server asked. Callers cap the delay by their own policy.
public enum RetryAfter {
    /// How long to wait, or `nil` when the value is neither form.
    public static func delay(from value: String, now: Date) -> Duration? {
        let trimmed = String(value.trimmingASCIIWhitespace())
        if let seconds = Int64(trimmed) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = httpDate(trimmed) else { return nil }
        let interval = date.timeIntervalSince(now)
        return interval > 0 ? .milliseconds(Int64((interval * 1000).rounded(.up))) : .zero
    }

    /// Parses an HTTP-date; `nil` when the text is none of its forms.
    public static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
