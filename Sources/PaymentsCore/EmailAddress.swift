/// The e-mail address rules a payment rail can rely on: a local part, one `@`, a dotted domain, no spaces, at most
/// 254 characters. Deliberately stricter than RFC 5322 (no quoted local parts, no IP literals): Zelle enrols ordinary
/// mailbox addresses.
public enum EmailAddress {
    /// Whether `text` is an address we accept.
    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count <= 254 else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0]
        let domain = parts[1]
        guard (1...64).contains(local.utf8.count), !local.hasPrefix("."), !local.hasSuffix("."),
            !local.contains("..")
        else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard local.allSatisfy({ localAllowed.contains($0) }) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        let labelAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        for label in labels {
            guard (1...63).contains(label.utf8.count), !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.allSatisfy({ labelAllowed.contains($0) })
            else { return false }
        }
        return labels.last!.allSatisfy(\.isLetter) && labels.last!.count >= 2
    }
}
