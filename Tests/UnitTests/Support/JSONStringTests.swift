import Foundation
import PaymentsSupport
import Testing

@Suite("JSON string literals: what JSONEncoder writes")
struct JSONStringTests {
    static let samples = [
        "plain", "", "quote \" backslash \\ slash /", "controls \u{08}\u{0C}\n\r\t \u{00}\u{01}\u{1F}",
        "unicode é € 😀 \u{202E}", String(repeating: "long run ", count: 100),
    ]

    @Test("The same bytes as JSONEncoder with slashes unescaped", arguments: samples)
    func matchesJSONEncoder(_ text: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(text), as: UTF8.self)
        #expect(JSONString.quoted(text) == expected)
    }

    @Test("What is written parses back to the same string", arguments: samples)
    func roundTrips(_ text: String) throws {
        #expect(try JSONValue(parsing: Array(JSONString.quoted(text).utf8)) == .string(text))
    }
}
