import PaymentsSupport

/// A W3C `tracestate` value: up to 32 vendor `key=value` entries, most recently updated first.
///
/// Parsing is all-or-nothing because the W3C spec asks a vendor that cannot parse `tracestate` not to propagate a
/// possibly corrupted value.
public struct TraceState: Sendable, Hashable {
    /// One vendor entry.
    public struct Entry: Sendable, Hashable {
        /// The vendor key (`simple-key` or `tenant@system`).
        public var key: String
        /// The opaque vendor value.
        public var value: String

        /// Creates an entry; it is not validated until added to a ``TraceState``.
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The entries in header order.
    public private(set) var entries: [Entry]

    /// The W3C limit on entries.
    public static let maximumEntryCount = 32

    /// An empty trace state, which is not sent at all.
    public init() {
        entries = []
    }

    /// Parses a header value (several header lines joined with `,`); `nil` when any entry is malformed, a key repeats,
    /// or there are more than 32 entries.
    public init?(header: some StringProtocol) {
        var entries: [Entry] = []
        var seen: Set<String> = []
        for member in header.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = member.trimmingASCIIWhitespace()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { return nil }
            let key = String(trimmed[..<equals])
            let value = String(trimmed[trimmed.index(after: equals)...])
            guard Self.isValidKey(key), Self.isValidValue(value), seen.insert(key).inserted else { return nil }
            entries.append(Entry(key: key, value: value))
        }
        guard entries.count <= Self.maximumEntryCount else { return nil }
        self.entries = entries
    }

    /// `true` when there is nothing to propagate.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value for `key`, if present.
    public subscript(key: String) -> String? {
        entries.first { $0.key == key }?.value
    }

    /// Puts `key=value` first (the W3C rule for an updated entry), dropping the oldest entry when the list is full.
    /// Returns `false`, changing nothing, when the key or value is not valid.
    @discardableResult
    public mutating func setValue(_ value: String, forKey key: String) -> Bool {
        guard Self.isValidKey(key), Self.isValidValue(value) else { return false }
        entries.removeAll { $0.key == key }
        entries.insert(Entry(key: key, value: value), at: 0)
        if entries.count > Self.maximumEntryCount { entries.removeLast() }
        return true
    }

    /// Removes the entry for `key`.
    public mutating func removeValue(forKey key: String) {
        entries.removeAll { $0.key == key }
    }

    /// The header value: entries joined by `,`.
    public var headerValue: String {
        entries.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// `simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-"/ "*" / "/")`, or
    /// `tenant-id "@" system-id` with `tenant-id = (lcalpha / DIGIT) 0*240(...)` and `system-id = lcalpha 0*13(...)`.
    static func isValidKey(_ key: String) -> Bool {
        let utf8 = Array(key.utf8)
        func isLowerAlpha(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        func isKeyChar(_ c: UInt8) -> Bool {
            isLowerAlpha(c) || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "*") || c == UInt8(ascii: "/")
        }
        if let at = utf8.firstIndex(of: UInt8(ascii: "@")) {
            let tenant = utf8[..<at]
            let system = utf8[(at + 1)...]
            guard let tenantFirst = tenant.first, let systemFirst = system.first else { return false }
            return tenant.count <= 241 && (isLowerAlpha(tenantFirst) || isDigit(tenantFirst))
                && tenant.allSatisfy(isKeyChar) && system.count <= 14 && isLowerAlpha(systemFirst)
                && system.allSatisfy(isKeyChar)
        }
        guard let first = utf8.first else { return false }
        return utf8.count <= 256 && isLowerAlpha(first) && utf8.allSatisfy(isKeyChar)
    }

    /// `value = 0*255(chr) nblk-chr`; `chr = %x20 / nblk-chr`; `nblk-chr = %x21-2B / %x2D-3C / %x3E-7E`.
    static func isValidValue(_ value: String) -> Bool {
        let utf8 = Array(value.utf8)
        func isNonBlank(_ c: UInt8) -> Bool { (0x21...0x7e).contains(c) && c != 0x2c && c != 0x3d }
        guard let last = utf8.last, utf8.count <= 256, isNonBlank(last) else { return false }
        return utf8.allSatisfy { $0 == 0x20 || isNonBlank($0) }
    }
}
