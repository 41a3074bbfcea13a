import Telemetry
import Testing

@Suite struct BaggageTests {
    @Test func parsesTheW3CExample() throws {
        let baggage = try #require(
            Baggage(header: "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue"))
        #expect(baggage.entries.map(\.key) == ["key1", "key2", "key3"])
        #expect(baggage["key2"] == "value2")
        #expect(baggage.entries[0].properties == "property1;property2")
        #expect(baggage.entries[2].properties == "propertyKey=propertyValue")
    }

    @Test func percentDecodesValues() throws {
        let baggage = try #require(Baggage(header: "serverNode=DF%2028,check=%E2%9C%93,lower=%c3%a9"))
        #expect(baggage["serverNode"] == "DF 28")
        #expect(baggage["check"] == "✓")
        #expect(baggage["lower"] == "é")
    }

    @Test func percentEncodesValuesThatAreNotBaggageOctets() {
        let baggage = Baggage(["note": "a,b;c d%\"✓"])
        #expect(baggage.headerValue == "note=a%2Cb%3Bc%20d%25%22%E2%9C%93")
        #expect(Baggage(header: baggage.headerValue)?["note"] == "a,b;c d%\"✓")
    }

    @Test func skipsMalformedMembersAndKeepsTheRest() throws {
        let baggage = try #require(Baggage(header: "k1=v1,novalue,=v,bad key=v,k2=%zz,k3=v3"))
        #expect(baggage.entries.map(\.key) == ["k1", "k3"])
        #expect(Baggage(header: "novalue") == nil)
    }

    @Test func enforcesTheMemberLimit() {
        let header = (0..<70).map { "k\($0)=v" }.joined(separator: ",")
        #expect(Baggage(header: header)?.entries.count == Baggage.maximumEntryCount)
        var baggage = Baggage()
        for index in 0..<70 { baggage.setValue("v", forKey: "k\(index)") }
        #expect(baggage.headerValue.split(separator: ",").count == Baggage.maximumEntryCount)
    }

    @Test func leavesOutMembersThatWouldExceedTheSizeLimit() {
        var baggage = Baggage()
        baggage.setValue("small", forKey: "first")
        baggage.setValue(String(repeating: "x", count: 9000), forKey: "huge")
        baggage.setValue("small", forKey: "last")
        #expect(baggage.headerValue == "first=small,last=small")
        #expect(baggage.headerValue.utf8.count <= Baggage.maximumHeaderBytes)
    }

    @Test func rejectsKeysThatAreNotTokens() {
        var baggage = Baggage()
        let spaced = baggage.setValue("v", forKey: "bad key")
        let empty = baggage.setValue("v", forKey: "")
        let token = baggage.setValue("v", forKey: "good-key_1.x")
        #expect(!spaced)
        #expect(!empty)
        #expect(token)
        #expect(baggage.entries.map(\.key) == ["good-key_1.x"])
    }
}
