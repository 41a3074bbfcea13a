import PaymentsSupport

/// W3C Baggage: application `key=value` pairs that travel with a request in the `baggage` header.
///
/// Values are percent-decoded when read and percent-encoded when written. The W3C limits (64 list members, 8192
/// bytes) are enforced by dropping members beyond them, since a peer may reject an oversized header outright.
/// Malformed members are skipped rather than failing the whole header, so one bad producer does not erase the rest.
public struct Baggage: Sendable, Hashable {
    /// One list member.
    public struct Entry: Sendable, Hashable {
        /// The key (an HTTP token).
        public var key: String
        /// The decoded value.
        public var value: String
        /// Properties after the value (`;ttl=3`), kept verbatim and opaque.
        public var properties: String?

        /// Creates an entry.
        public init(key: String, value: String, properties: String? = nil) {
            self.key = key
            self.value = value
            self.properties = properties
        }
    }

    /// The W3C limit on list members.
    public static let maximumEntryCount = 64
    /// The W3C limit on the header's size in bytes.
    public static let maximumHeaderBytes = 8192

    /// The entries in header order, keys unique.
    public private(set) var entries: [Entry]

    /// Baggage from a dictionary (entries sorted by key, so the header is stable).
    public init(_ values: [String: String] = [:]) {
        entries = []
        for key in values.keys.sorted() { setValue(values[key]!, forKey: key) }
    }

    /// Parses a `baggage` header (several lines joined with `,`); `nil` when not one member is valid.
    public init?(header: some StringProtocol) {
        guard header.utf8.count <= Self.maximumHeaderBytes * 4 else { return nil }  // refuse absurd input outright
        entries = []
        for member in header.split(separator: ",") {
            guard entries.count < Self.maximumEntryCount else { break }
            guard let entry = Self.parseMember(Substring(member)) else { continue }
            setValue(entry.value, forKey: entry.key, properties: entry.properties)
        }
        if entries.isEmpty { return nil }
    }

    /// `true` when there is nothing to send.
    public var isEmpty: Bool { entries.isEmpty }

    /// The decoded value for `key`.
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    /// Sets or replaces `key`; returns `false`, changing nothing, when `key` is not an HTTP token.
    @discardableResult
    public mutating func setValue(_ value: String, forKey key: String, properties: String? = nil) -> Bool {
        guard Self.isToken(key) else { return false }
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index] = Entry(key: key, value: value, properties: properties)
        } else {
            entries.append(Entry(key: key, value: value, properties: properties))
        }
        return true
    }

    /// Removes `key`.
    public mutating func removeValue(forKey key: String) {
        entries.removeAll { $0.key == key }
    }

    /// The header value, values percent-encoded; members that would break the W3C limits are left out.
    public var headerValue: String {
        var output = ""
        var count = 0
        for entry in entries {
            guard count < Self.maximumEntryCount else { break }
            var member = entry.key + "=" + Self.percentEncode(entry.value)
            if let properties = entry.properties, !properties.isEmpty { member += ";" + properties }
            let added = member.utf8.count + (output.isEmpty ? 0 : 1)
            // Skip, rather than stop at, an oversized member: a later small one may still fit.
            guard output.utf8.count + added <= Self.maximumHeaderBytes else { continue }
            if !output.isEmpty { output += "," }
            output += member
            count += 1
        }
        return output
    }

    private static func parseMember(_ member: Substring) -> Entry? {
        let parts = member.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let pair = parts[0]
        guard let equals = pair.firstIndex(of: "=") else { return nil }
        let key = String(pair[..<equals].trimmingASCIIWhitespace())
        let rawValue = pair[pair.index(after: equals)...].trimmingASCIIWhitespace()
        guard isToken(key), rawValue.utf8.allSatisfy(isBaggageOctet), let value = PercentEncoding.decode(rawValue)
        else {
            return nil
        }
        let properties = parts.count > 1 ? String(parts[1].trimmingASCIIWhitespace()) : nil
        return Entry(key: key, value: value, properties: properties)
    }

    /// RFC 7230 `tchar`.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { c in
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default: "!#$%&'*+-.^_`|~".utf8.contains(c)
                }
            }
    }

    /// `baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E` (no space, `"`, `,`, `;`, `\`).
    static func isBaggageOctet(_ c: UInt8) -> Bool {
        (0x21...0x7e).contains(c) && c != 0x22 && c != 0x2c && c != 0x3b && c != 0x5c
    }

    static func percentEncode(_ value: String) -> String {
        PercentEncoding.encode(value) { isBaggageOctet($0) && $0 != UInt8(ascii: "%") }
    }
}
