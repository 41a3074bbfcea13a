import PaymentsSupport
import Testing

@Suite("Hex encoding and decoding")
struct HexTests {
    @Test("Bytes encode as two lower-case digits each, or upper-case when asked")
    func encode() {
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF], uppercase: true) == "000FA5FF")
        #expect(Hex.encode([]) == "")
    }

    @Test("Decoding reads both cases unless lower case only is asked for, and refuses odd lengths and non-hex")
    func decode() {
        #expect(Hex.decode("000fA5Ff") == [0x00, 0x0F, 0xA5, 0xFF])
        #expect(Hex.decode("000fA5Ff", allowingUppercase: false) == nil)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("") == [])
    }

    @Test("Integers: appended most significant byte first, read back from up to sixteen digits")
    func integers() {
        var output: [UInt8] = []
        Hex.append(0x00F0_67AA_0BA9_02B7, byteCount: 8, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == "00f067aa0ba902b7")
        #expect(Hex.decodeInteger(Array("00f067aa0ba902b7".utf8)) == 0x00F0_67AA_0BA9_02B7)
        #expect(Hex.decodeInteger(Array("ffffffffffffffff1".utf8)) == nil)
        #expect(Hex.decodeInteger(Array("".utf8)) == nil)
        #expect(Hex.decodeInteger(Array("AB".utf8), allowingUppercase: false) == nil)
    }
}
