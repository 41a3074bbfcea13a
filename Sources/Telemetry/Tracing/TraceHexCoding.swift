/// Lower-case hex encoding and strict decoding for trace identifiers.
///
/// W3C Trace Context allows only lower-case hex in `traceparent`, so decoding rejects upper-case digits instead of
/// folding them: a peer that sends them is not following the format and its header must be ignored.
enum TraceHexCoding {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `byteCount` bytes of `value` (most significant first) as hex.
    static func append(_ value: UInt64, byteCount: Int, to output: inout [UInt8]) {
        var shift = (byteCount - 1) * 8
        while shift >= 0 {
            let byte = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0f)])
            shift -= 8
        }
    }

    /// The value of one lower-case hex digit, or `nil`.
    static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit &- UInt8(ascii: "a") &+ 10
        default: nil
        }
    }

    /// Decodes exactly 16 or fewer lower-case hex digits into an integer, or `nil`.
    static func decode(_ digits: some Collection<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        var result: UInt64 = 0
        for digit in digits {
            guard let nibble = value(of: digit) else { return nil }
            result = result << 4 | UInt64(nibble)
        }
        return result
    }
}
