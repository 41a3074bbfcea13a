/// The rules every free-text field and query parameter shares, as the OpenAPI document states them: lengths in
/// Unicode code points (as JSON Schema's `maxLength` counts), no control characters (C0, DEL, C1: U+0000 is refused by
/// PostgreSQL and cut short by SQLite, and the others rewrite terminals and logs), and no bidirectional embedding,
/// override or isolate characters (they make text read differently from what it is).
public enum TextRules {
    /// Whether `scalar` is a C0 or C1 control character, or DEL.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether `scalar` embeds, overrides or isolates a bidirectional run (U+202A–U+202E, U+2066–U+2069).
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// Whether `scalar` is something a reader sees: a letter, mark-free digit, punctuation or symbol. Zero-width
    /// and formatting characters, spaces and combining marks are not.
    public static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
            .letterNumber, .otherNumber, .connectorPunctuation, .dashPunctuation, .openPunctuation,
            .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol,
            .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }

    /// Why `text` breaks the rules for a field of `minimum` to `maximum` code points, or `nil` when it does not;
    /// `visible` also asks for at least one visible character (names).
    public static func problem(_ text: String, minimum: Int = 0, maximum: Int, visible: Bool = false) -> String? {
        let scalars = text.unicodeScalars
        let count = scalars.count
        if count < minimum || count > maximum {
            return minimum > 0
                ? "must be \(minimum) to \(maximum) characters (Unicode code points)"
                : "must be at most \(maximum) characters (Unicode code points)"
        }
        if scalars.contains(where: isControl) { return "must not contain control characters" }
        if scalars.contains(where: isBidiControl) { return "must not contain bidirectional override characters" }
        if visible, !scalars.contains(where: isVisible) { return "must contain a visible character" }
        return nil
    }
}
