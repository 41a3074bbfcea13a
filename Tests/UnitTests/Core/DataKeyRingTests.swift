import Foundation
import PaymentsApp
import PaymentsCore
import PaymentsSupport
import Testing

@Suite("Data keys: sealing, opening, blind index, configuration")
struct DataKeyRingTests {
    static func key(_ byte: UInt8) -> [UInt8] { Array(repeating: byte, count: 32) }
    let old = DataKeyRing(keys: [("old", key(1))], indexKey: key(9))
    let rotated = DataKeyRing(keys: [("new", key(2)), ("old", key(1))], indexKey: key(9))
    let payment = UUID()

    @Test("A sealed value opens for its payment and field only, with the key it names")
    func sealAndOpen() throws {
        let sealed = old.seal("000123456789", paymentID: payment, field: "account")
        #expect(sealed.hasPrefix("old:"))
        #expect(!sealed.contains("123456789"))
        #expect(try old.open(sealed, paymentID: payment, field: "account") == "000123456789")
        // Sealing twice gives two values (a fresh nonce each time).
        #expect(old.seal("000123456789", paymentID: payment, field: "account") != sealed)
        #expect(throws: DataKeyRing.OpenError(keyID: "old", reason: "not_authentic")) {
            try old.open(sealed, paymentID: UUID(), field: "account")
        }
        #expect(throws: DataKeyRing.OpenError(keyID: "old", reason: "not_authentic")) {
            try old.open(sealed, paymentID: payment, field: "email")
        }
        // Flip one bit of the decoded bytes: editing a base64 character could touch only padding bits.
        let colon = try #require(sealed.firstIndex(of: ":"))
        var bytes = try #require(Data(base64Encoded: String(sealed[sealed.index(after: colon)...])))
        for position in [0, bytes.count / 2, bytes.count - 1] {
            bytes[position] ^= 0x01
            let tampered = "old:" + bytes.base64EncodedString()
            #expect(throws: DataKeyRing.OpenError(keyID: "old", reason: "not_authentic")) {
                try old.open(tampered, paymentID: payment, field: "account")
            }
            bytes[position] ^= 0x01
        }
        #expect(throws: DataKeyRing.OpenError(keyID: nil, reason: "malformed")) {
            try old.open("no-colon", paymentID: payment, field: "account")
        }
    }

    @Test("After rotation the new key seals and the old one still opens; without it, old values do not")
    func rotation() throws {
        let sealedOld = old.seal("987654321", paymentID: payment, field: "account")
        #expect(try rotated.open(sealedOld, paymentID: payment, field: "account") == "987654321")
        #expect(rotated.seal("987654321", paymentID: payment, field: "account").hasPrefix("new:"))
        let newOnly = DataKeyRing(keys: [("new", Self.key(2))], indexKey: Self.key(9))
        #expect(throws: DataKeyRing.OpenError(keyID: "old", reason: "unknown_key")) {
            try newOnly.open(sealedOld, paymentID: payment, field: "account")
        }
    }

    @Test("The blind index is equal for equal accounts, keyed, and does not change when data keys rotate")
    func blindIndex() {
        let index = old.blindIndex(accountNumber: "000123456789", routingNumber: "021000021")
        #expect(index == rotated.blindIndex(accountNumber: "000123456789", routingNumber: "021000021"))
        #expect(index != old.blindIndex(accountNumber: "000123456780", routingNumber: "021000021"))
        #expect(index != old.blindIndex(accountNumber: "000123456789", routingNumber: "011000015"))
        let otherIndexKey = DataKeyRing(keys: [("old", Self.key(1))], indexKey: Self.key(8))
        #expect(index != otherIndexKey.blindIndex(accountNumber: "000123456789", routingNumber: "021000021"))
        #expect(!index.contains("123456789"))
    }

    @Test("Configuration: key_id:base64 entries, an index key, errors that never show a key")
    func configuration() throws {
        let a = Data(Self.key(3)).base64EncodedString()
        let b = Data(Self.key(4)).base64EncodedString()
        let ring = try DataKeys.parse("k2:\(a), k1:\(b)\n# comment\nindex:\(a)", setting: "PAYMENTS_DATA_KEYS")
        #expect(ring.sealingKeyID == "k2")
        #expect(ring.keys.map(\.id) == ["k2", "k1"])
        let bad = [
            "k1:\(a)", "index:\(a)", "k1:short,index:\(a)", "k 1:\(a),index:\(a)", "k1:\(a),k1:\(b),index:\(a)",
            "k1:\(a),index:\(a),index:\(b)",
        ]
        for text in bad {
            do {
                _ = try DataKeys.parse(text, setting: "PAYMENTS_DATA_KEYS")
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.setting == "PAYMENTS_DATA_KEYS")
                #expect(!error.description.contains(a) && !error.description.contains(b))
            }
        }
        let generated = try DataKeys.parse(DataKeys.newFileContents(), setting: "file")
        #expect(generated.keys.count == 1 && generated.sealingKeyID.hasPrefix("k"))
    }
}
