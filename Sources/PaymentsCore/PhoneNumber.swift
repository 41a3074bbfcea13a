/// E.164 phone numbers: `+`, a country code not starting with 0, at most 15 digits in all.
public enum PhoneNumber {
    /// Whether `text` is an E.164 number such as `+12025550123`.
    public static func isValidE164(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.first == UInt8(ascii: "+"), (9...16).contains(utf8.count) else { return false }
        let digits = utf8.dropFirst()
        return digits.first != UInt8(ascii: "0") && digits.allSatisfy { (48...57).contains($0) }
    }
}
