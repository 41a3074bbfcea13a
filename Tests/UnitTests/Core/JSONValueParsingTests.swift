import Foundation
import PaymentsCore
import PaymentsSupport
import Testing

@Suite("JSON parsing: the same values as JSONDecoder, repeated keys refused")
struct JSONValueParsingTests {
    static let valid: [String] = [
        #"{"amount": 1250, "currency": "USD", "client_ref": "INV-1002", "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"}, "description": "Invoice 1002"}"#,
        #"{"a": [1, -2, 3.5, -0, 0, 1e3, 1.0, 2.5e-3, 1E2, 9223372036854775807, 9223372036854775808, -9223372036854775808]}"#,
        #"{"s": "quote \" backslash \\ slash \/ controls \b\f\n\r\t unicode \u00e9 \u20AC surrogate \ud83d\ude00 raw é €"}"#,
        #"  [true, false, null, {}, [], "", {"nested": {"deeper": [[[]]]}}]  "#,
        "[1,]", #"{"a": 1,}"#, #"[[1, 2,], {"b": [],},]"#,
        "\"top-level string\"", "42", "-1.5", "true", "null",
    ]

    static let invalid: [String] = [
        "", " ", "{", "}", "[,]", "{,}", "[1,,]", "{\"a\" 1}", "{a: 1}", "'single'", "01", "1.", ".5", "-", "1e", "+1",
        "tru", "nul", "[1 2]", "{\"a\":1}}", "\"unterminated", "\"bad escape \\x\"", "\"\\u12\"", "\"lone \\udc00\"",
        "\"high \\ud83d alone\"", "\"tab\tinside\"", "NaN", "Infinity", "1e400", "[1] x",
    ]

    @Test("Valid documents parse to what JSONDecoder made of them", arguments: valid)
    func validDocuments(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
    }

    @Test("Invalid documents are refused, as JSONDecoder refused them", arguments: invalid)
    func invalidDocuments(_ text: String) {
        #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) == nil)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test(
        "A repeated key is refused, naming it: two readers keeping different copies could act on different values",
        arguments: [#"{"dup": 1, "dup": 2}"#, #"{"a": {"dup": 1, "dup": 1}}"#, #"[{"x": 1}, {"dup": 1, "dup": 2}]"#]
    )
    func duplicateKeys(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
        let key = (try? JSONValue(parsing: Array(text.utf8))) == nil ? duplicateKey(text) : nil
        #expect(key == "dup")
    }

    private func duplicateKey(_ text: String) -> String? {
        do {
            _ = try JSONValue(parsing: Array(text.utf8))
            return nil
        } catch {
            return error.duplicateKey
        }
    }

    @Test("Invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("Nesting deeper than 512 levels is refused")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONValue(parsing: Array(fine.utf8))
    }
}
