/// Hexadecimal text for bytes and integers: tokens, references, digests, signatures and trace ids.
///
/// Encoding writes lower-case digits unless asked otherwise. Decoding reads both cases unless told to accept only
/// lower case, which W3C Trace Context requires of `traceparent` fields.
public enum Hex {
    @usableFromInline static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)
    @usableFromInline static let uppercaseDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Two hex digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>, uppercase: Bool = false) -> String {
        let digits = uppercase ? uppercaseDigits : lowercaseDigits
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the low `byteCount` bytes of `value`, most significant first, as lower-case digits.
    @inlinable
    public static func append(_ value: UInt64, byteCount: Int, to output: inout [UInt8]) {
        var shift = (byteCount - 1) * 8
        while shift >= 0 {
            let byte = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            output.append(lowercaseDigits[Int(byte >> 4)])
            output.append(lowercaseDigits[Int(byte & 0x0F)])
            shift -= 8
        }
    }

    /// The integers as sixteen lower-case digits each, most significant byte first: trace and span ids.
    public static func string(_ values: UInt64...) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 16)
        for value in values { append(value, byteCount: 8, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The value of one hex digit, or `nil`.
    @inlinable
    public static func value(ofDigit digit: UInt8, allowingUppercase: Bool = true) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F") where allowingUppercase: digit &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// The bytes of an even number of hex digits, or `nil` on an odd length or a non-hex character.
    public static func decode(_ text: some StringProtocol, allowingUppercase: Bool = true) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(ofDigit: utf8[index], allowingUppercase: allowingUppercase),
                let low = value(ofDigit: utf8[index + 1], allowingUppercase: allowingUppercase)
            else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// One to sixteen hex digits read as an integer, or `nil`.
    @inlinable
    public static func decodeInteger(_ digits: some Collection<UInt8>, allowingUppercase: Bool = true) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var result: UInt64 = 0
        for digit in digits {
            guard let nibble = value(ofDigit: digit, allowingUppercase: allowingUppercase) else { return nil }
            result = result << 4 | UInt64(nibble)
        }
        return result
    }
}
