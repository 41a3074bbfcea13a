/// W3C Baggage: application `key=value` pairs that travel with a request in the `baggage` header.
///
/// Values are percent-decoded when read and percent-encoded when written. The W3C limits (64 list members, 8192
/// bytes) are enforced by dropping members beyond them, since a peer may reject an oversized header outright.
/// Malformed members are skipped rather than failing the whole header, so one bad producer does not erase the rest.
///
/// ```swift
/// let baggage = Baggage(header: "userId=alice,serverNode=DF%2028;ttl=3")!
/// baggage["serverNode"]        // "DF 28"
/// Baggage(["note": "a,b"]).headerValue   // "note=a%2Cb"
/// ```
public struct Baggage: Sendable, Hashable {
    /// One list member.
    ///
    /// ```swift
    /// let entry = Baggage.Entry(key: "userId", value: "alice", properties: "ttl=3")
    /// ```
    public struct Entry: Sendable, Hashable {
        /// The key (an HTTP token).
        public var key: String
        /// The decoded value.
        public var value: String
        /// Properties after the value (`;ttl=3`), kept verbatim and opaque.
        public var properties: String?

        /// Creates an entry.
        ///
        /// ```swift
        /// let entry = Baggage.Entry(key: "tenant", value: "blue")
        /// ```
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
    ///
    /// ```swift
    /// let baggage = Baggage(["tenant": "blue"])
    /// ```
    public init(_ values: [String: String] = [:]) {
        entries = []
        for key in values.keys.sorted() { setValue(values[key]!, forKey: key) }
    }

    /// Parses a `baggage` header (several lines joined with `,`); `nil` when not one member is valid.
    ///
    /// ```swift
    /// Baggage(header: "=novalue")   // nil
    /// ```
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
    ///
    /// ```swift
    /// baggage["tenant"]   // "blue"
    /// ```
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    /// Sets or replaces `key`; returns `false`, changing nothing, when `key` is not an HTTP token.
    ///
    /// ```swift
    /// var baggage = Baggage()
    /// baggage.setValue("blue", forKey: "tenant")
    /// ```
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
    ///
    /// ```swift
    /// baggage.removeValue(forKey: "tenant")
    /// ```
    public mutating func removeValue(forKey key: String) {
        entries.removeAll { $0.key == key }
    }

    /// The header value, values percent-encoded; members that would break the W3C limits are left out.
    ///
    /// ```swift
    /// Baggage(["a": "1 2"]).headerValue   // "a=1%202"
    /// ```
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
        let key = String(pair[..<equals].trimmingTraceHeaderWhitespace())
        let rawValue = pair[pair.index(after: equals)...].trimmingTraceHeaderWhitespace()
        guard isToken(key), rawValue.utf8.allSatisfy(isBaggageOctet), let value = percentDecode(rawValue) else {
            return nil
        }
        let properties = parts.count > 1 ? String(parts[1].trimmingTraceHeaderWhitespace()) : nil
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
        var output: [UInt8] = []
        output.reserveCapacity(value.utf8.count)
        for c in value.utf8 {
            if isBaggageOctet(c) && c != UInt8(ascii: "%") {
                output.append(c)
            } else {
                output.append(UInt8(ascii: "%"))
                let hex = Array("0123456789ABCDEF".utf8)
                output.append(hex[Int(c >> 4)])
                output.append(hex[Int(c & 0x0f)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `%XX` (either case); `nil` for a broken escape or bytes that are not UTF-8.
    static func percentDecode(_ value: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(value.utf8).makeIterator()
        while let c = iterator.next() {
            guard c == UInt8(ascii: "%") else {
                bytes.append(c)
                continue
            }
            guard let a = iterator.next(), let b = iterator.next(), let high = hexValue(a), let low = hexValue(b)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
