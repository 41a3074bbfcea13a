/// A protobuf wire-format encoder, just big enough for the OTLP messages.
///
/// Hand-written so that the telemetry target does not pull in swift-protobuf and its generated code: OTLP needs only
/// varints, 32/64-bit fixed values, doubles, length-delimited fields and packed repeated scalars.
///
/// Scalar writers follow proto3 rules and skip a field that holds its default value (0, `false`, empty), because
/// that is what every protobuf library emits and so what the decoder expects; members of a `oneof` must be written
/// even when they hold the default, so those call sites pass `always: true`.
struct ProtobufWriter {
    /// Protobuf wire types (the low three bits of a tag).
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// The encoded message so far.
    private(set) var bytes: [UInt8]

    /// Creates an empty writer, reserving `capacity` bytes to avoid regrowth for a message of known rough size.
    init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Primitives

    /// Appends a base-128 varint.
    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends a field tag.
    mutating func writeTag(_ field: Int, _ wireType: WireType) {
        writeVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// Appends raw bytes with no tag (for fixed-size ids).
    mutating func append(contentsOf raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a little-endian 64-bit value with no tag.
    mutating func writeRawFixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a little-endian 32-bit value with no tag.
    mutating func writeRawFixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    // MARK: Scalar fields

    /// Writes a `uint64`/`uint32`/enum field as a varint.
    mutating func writeUInt64(_ field: Int, _ value: UInt64, always: Bool = false) {
        guard value != 0 || always else { return }
        writeTag(field, .varint)
        writeVarint(value)
    }

    /// A fixed-width field: proto3 leaves out a zero unless `always`.
    private mutating func writeFixed<Value: FixedWidthInteger>(
        _ field: Int, _ type: WireType, _ value: Value, always: Bool
    ) {
        guard value != 0 || always else { return }
        writeTag(field, type)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes an `int64`/`int32` field: negative values are sign-extended to ten bytes, as protobuf requires.
    mutating func writeInt64(_ field: Int, _ value: Int64, always: Bool = false) {
        writeUInt64(field, UInt64(bitPattern: value), always: always)
    }

    /// Writes a `bool` field.
    mutating func writeBool(_ field: Int, _ value: Bool, always: Bool = false) {
        writeUInt64(field, value ? 1 : 0, always: always)
    }

    /// Writes a `fixed64` field.
    mutating func writeFixed64(_ field: Int, _ value: UInt64, always: Bool = false) {
        writeFixed(field, .fixed64, value, always: always)
    }

    /// Writes an `sfixed64` field.
    mutating func writeSFixed64(_ field: Int, _ value: Int64, always: Bool = false) {
        writeFixed64(field, UInt64(bitPattern: value), always: always)
    }

    /// Writes a `fixed32` field.
    mutating func writeFixed32(_ field: Int, _ value: UInt32, always: Bool = false) {
        writeFixed(field, .fixed32, value, always: always)
    }

    /// Writes a `double` field. Negative zero is not the default (its bit pattern differs), so it is kept.
    mutating func writeDouble(_ field: Int, _ value: Double, always: Bool = false) {
        guard value.bitPattern != 0 || always else { return }
        writeTag(field, .fixed64)
        writeRawFixed64(value.bitPattern)
    }

    // MARK: Length-delimited fields

    /// Writes a `bytes` field.
    mutating func writeBytes(_ field: Int, _ value: some Collection<UInt8>, always: Bool = false) {
        guard !value.isEmpty || always else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a `string` field as UTF-8.
    mutating func writeString(_ field: Int, _ value: String, always: Bool = false) {
        guard !value.isEmpty || always else { return }
        var value = value
        value.withUTF8 { writeBytes(field, $0, always: true) }
    }

    /// Writes a nested message field; `body` writes the message's own fields.
    ///
    /// The body is written in place after a one-byte length placeholder, and moved only when its length needs a
    /// longer varint: most OTLP sub-messages (attributes, values) are under 128 bytes, so this avoids a temporary
    /// buffer per message.
    mutating func writeMessage(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        writeTag(field, .lengthDelimited)
        let lengthIndex = bytes.count
        bytes.append(0)
        let start = bytes.count
        body(&self)
        let length = bytes.count - start
        if length < 0x80 {
            bytes[lengthIndex] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        var remaining = UInt64(length)
        while remaining >= 0x80 {
            prefix.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        prefix.append(UInt8(remaining))
        bytes.replaceSubrange(lengthIndex..<start, with: prefix)
    }

    // MARK: Packed repeated fields

    /// Writes a packed `repeated fixed64` field (nothing when empty).
    mutating func writePackedFixed64(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 8))
        for value in values { writeRawFixed64(value) }
    }

    /// Writes a packed `repeated double` field (nothing when empty).
    mutating func writePackedDouble(_ field: Int, _ values: [Double]) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 8))
        for value in values { writeRawFixed64(value.bitPattern) }
    }

    /// Writes a packed `repeated uint64` (varint) field (nothing when empty).
    mutating func writePackedVarint(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        var packed = ProtobufWriter(capacity: values.count)
        for value in values { packed.writeVarint(value) }
        writeBytes(field, packed.bytes, always: true)
    }
}
