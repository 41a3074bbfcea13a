/// Undoes percent-encoding (`%XX`), as URL query strings, form bodies, W3C baggage and the OpenTelemetry
/// `key=value` list variables use it.
public enum PercentEncoding {
    /// How to treat what is not a well-formed escape.
    public enum Strictness: Sendable {
        /// A malformed escape makes the whole text unreadable (`nil`).
        case strict
        /// A malformed escape is kept as written (form bodies: browsers and clients vary).
        case lenient
    }

    /// The decoded text; `+` stands for a space when `plusIsSpace` (form encoding). `nil` when `strict` and an
    /// escape is malformed, or when the decoded bytes are not UTF-8.
    public static func decode(
        _ text: some StringProtocol, plusIsSpace: Bool = false, strictness: Strictness = .strict
    ) -> String? {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            index += 1
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if index + 1 < utf8.count,
                    let high = Hex.value(ofDigit: utf8[index]), let low = Hex.value(ofDigit: utf8[index + 1])
                {
                    bytes.append(high << 4 | low)
                    index += 2
                } else if strictness == .strict {
                    return nil
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The text with every UTF-8 byte that `keep` refuses written as `%XX` (upper-case hex, as RFC 3986 recommends).
    public static func encode(_ text: String, keeping keep: (UInt8) -> Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if keep(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(Hex.uppercaseDigits[Int(byte >> 4)])
                output.append(Hex.uppercaseDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
