/// Writes a string as a JSON string literal (RFC 8259): quoted, with `"`, `\` and the control characters escaped,
/// in the form `JSONEncoder` writes (`\n`, `\t`, `\b`, `\f`, `\r` short, the other controls as `\u00xx`).
///
/// The bytes are handed to `write` in pieces rather than collected, so that a caller writes straight into its own
/// buffer: runs of the string's UTF-8 that need no escaping go out whole, since only ASCII bytes are ever escaped.
public enum JSONString {
    @inlinable
    public static func write(_ text: String, _ write: (UnsafeRawBufferPointer) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            writeByte(UInt8(ascii: "\""), write)
            let raw = UnsafeRawBufferPointer(bytes)
            var runStart = 0
            for index in raw.indices {
                let byte = raw[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { write(UnsafeRawBufferPointer(rebasing: raw[runStart..<index])) }
                writeEscape(byte, write)
                runStart = index + 1
            }
            if runStart < raw.count { write(UnsafeRawBufferPointer(rebasing: raw[runStart...])) }
            writeByte(UInt8(ascii: "\""), write)
        }
    }

    /// The string as a JSON literal, quotes included.
    public static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 2)
        write(text) { output.append(contentsOf: $0) }
        return String(decoding: output, as: UTF8.self)
    }

    @usableFromInline
    static func writeByte(_ byte: UInt8, _ write: (UnsafeRawBufferPointer) -> Void) {
        withUnsafeBytes(of: byte) { write($0) }
    }

    @usableFromInline
    static func writeEscape(_ byte: UInt8, _ write: (UnsafeRawBufferPointer) -> Void) {
        let short: UInt8? =
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            default: nil
            }
        if let short {
            withUnsafeBytes(of: (UInt8(ascii: "\\"), short)) { write($0) }
        } else {
            let digits = Hex.lowercaseDigits
            let escape = (
                UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), digits[Int(byte >> 4)],
                digits[Int(byte & 0x0F)]
            )
            withUnsafeBytes(of: escape) { write($0) }
        }
    }
}
