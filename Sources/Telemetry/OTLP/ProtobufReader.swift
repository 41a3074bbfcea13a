/// A minimal protobuf wire-format reader, for the small OTLP response messages (`Export*ServiceResponse`).
///
/// It walks fields one by one and skips what it does not know, so a collector that adds fields to its response
/// never breaks us.
struct ProtobufReader {
    /// The input is not a well-formed protobuf message.
    struct MalformedMessage: Error {}

    private let bytes: [UInt8]
    private var index: Int
    private let end: Int

    /// Reads `bytes[range]`, or all of `bytes`.
    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.index = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    /// The next field's number and wire type, or `nil` at the end of the message.
    mutating func nextTag() throws(MalformedMessage) -> (field: Int, wireType: ProtobufWriter.WireType)? {
        guard index < end else { return nil }
        let tag = try readVarint()
        guard let wireType = ProtobufWriter.WireType(rawValue: UInt8(tag & 7)), tag >> 3 > 0 else {
            throw MalformedMessage()
        }
        return (Int(tag >> 3), wireType)
    }

    /// Reads a base-128 varint.
    mutating func readVarint() throws(MalformedMessage) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < end, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw MalformedMessage()
    }

    /// Reads a length-delimited field's extent and moves past it.
    mutating func readLengthDelimited() throws(MalformedMessage) -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - index) else { throw MalformedMessage() }
        let range = index..<(index + Int(length))
        index = range.upperBound
        return range
    }

    /// Reads a length-delimited field as UTF-8 text (invalid sequences are repaired, not fatal).
    mutating func readString() throws(MalformedMessage) -> String {
        let range = try readLengthDelimited()
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// A reader over a nested message's bytes.
    mutating func readMessage() throws(MalformedMessage) -> ProtobufReader {
        ProtobufReader(bytes, range: try readLengthDelimited())
    }

    /// Skips a field's value of the given wire type.
    mutating func skip(_ wireType: ProtobufWriter.WireType) throws(MalformedMessage) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        }
    }

    private mutating func advance(_ count: Int) throws(MalformedMessage) {
        guard end - index >= count else { throw MalformedMessage() }
        index += count
    }
}
