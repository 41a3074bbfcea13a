import PaymentsSupport

/// Parses `application/x-www-form-urlencoded` bodies, as OAuth2 token requests use.
enum FormBody {
    /// The fields of `text`; for a repeated name the first value wins.
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(String(parts[0]))
            let value = parts.count > 1 ? Self.decode(String(parts[1])) : ""
            if fields[name] == nil {
                fields[name] = value
            }
        }
        return fields
    }

    /// Undoes form encoding (`+` for space, `%XX` escapes); malformed escapes are kept as written.
    static func decode(_ text: String) -> String {
        PercentEncoding.decode(text, plusIsSpace: true, strictness: .lenient) ?? text
    }
}
