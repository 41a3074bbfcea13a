import Foundation
import Testing

@Suite("Client API validation: every bad input gets its 4xx, nothing is stored or sent")
struct PaymentValidationTests {
    struct BadBody: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let pointers: [String]
        var testDescription: String { name }
    }

    static let account =
        #""recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "000123456789", "routing_number": "021000021"}"#

    /// A payment to the bank account above, with the given amount and currency as JSON text.
    static func payment(amount: String = "1", currency: String = "USD") -> String {
        #"{"amount": \#(amount), "currency": "\#(currency)", "client_ref": "A", \#(account)}"#
    }

    static let badBodies: [BadBody] = [
        BadBody(name: "malformed JSON", body: #"{"amount": 12"#, pointers: [""]),
        BadBody(name: "not an object", body: "[1, 2]", pointers: [""]),
        BadBody(name: "missing fields", body: "{}", pointers: ["/amount", "/currency", "/client_ref", "/recipient"]),
        BadBody(
            name: "unknown field",
            body: #"{"amount": 1, "currency": "USD", "client_ref": "A", \#(account), "memo": "x"}"#, pointers: ["/memo"]
        ),
        BadBody(name: "amount as string", body: payment(amount: #""1250""#), pointers: ["/amount"]),
        BadBody(name: "fractional amount", body: payment(amount: "12.5"), pointers: ["/amount"]),
        BadBody(name: "zero amount", body: payment(amount: "0"), pointers: ["/amount"]),
        BadBody(name: "negative amount", body: payment(amount: "-5"), pointers: ["/amount"]),
        BadBody(name: "absurd amount", body: payment(amount: "100000000000000000000"), pointers: ["/amount"]),
        BadBody(name: "not an ISO currency", body: payment(currency: "XYZ"), pointers: ["/currency"]),
        BadBody(name: "unsupported currency", body: payment(currency: "EUR"), pointers: ["/currency"]),
        BadBody(name: "lower-case currency", body: payment(currency: "usd"), pointers: ["/currency"]),
        BadBody(
            name: "client_ref too long",
            body:
                #"{"amount": 1, "currency": "USD", "client_ref": "\#(String(repeating: "x", count: 65))", \#(account)}"#,
            pointers: ["/client_ref"]),
        BadBody(
            name: "bad routing checksum",
            body:
                #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": {"type": "bank_account", "name": "A", "account_number": "000123456789", "routing_number": "021000022"}}"#,
            pointers: ["/recipient/routing_number"]),
        BadBody(
            name: "short account number",
            body:
                #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": {"type": "bank_account", "name": "A", "account_number": "12", "routing_number": "021000021"}}"#,
            pointers: ["/recipient/account_number"]),
        BadBody(
            name: "bad email",
            body:
                #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": {"type": "zelle", "name": "A", "email": "not-an-email"}}"#,
            pointers: ["/recipient/email"]),
        BadBody(
            name: "bad phone",
            body:
                #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": {"type": "zelle", "name": "A", "phone": "555-0100"}}"#,
            pointers: ["/recipient/phone"]),
        BadBody(
            name: "zelle with both tokens",
            body:
                #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": {"type": "zelle", "name": "A", "phone": "+12025550123", "email": "a@b.co"}}"#,
            pointers: ["/recipient"]),
        BadBody(
            name: "unknown recipient type",
            body: #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": {"type": "wire", "name": "A"}}"#,
            pointers: ["/recipient/type"]),
        BadBody(
            name: "recipient wrong type",
            body: #"{"amount": 1, "currency": "USD", "client_ref": "A", "recipient": "Acme"}"#, pointers: ["/recipient"]
        ),
    ]

    @Test("An invalid body is answered 422 problem+json naming each field at fault", arguments: badBodies)
    func invalidBodyIsRejected(_ bad: BadBody) async throws {
        try await TestServer.with { server in
            let result = try await server.request(.POST, "/v1/payments", body: bad.body)
            #expect(result.status == 422)
            #expect(result.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(result.json["status"] as? Int == 422)
            #expect(result.json["type"] as? String == "/problems/validation-error")
            let errors = result.json["errors"] as? [[String: any Sendable]] ?? []
            let pointers = errors.compactMap { $0["pointer"] as? String }
            #expect(Set(pointers) == Set(bad.pointers))
            #expect(errors.allSatisfy { ($0["detail"] as? String)?.isEmpty == false })
            // Nothing echoes the account number back.
            #expect(!result.text.contains("000123456789"))
            try await expectNothingRecorded(server)
        }
    }

    @Test("Oversized, non-JSON and badly keyed requests get 413, 415 and 422")
    func transportLevelErrors() async throws {
        try await TestServer.with { server in
            let huge = #"{"amount": 1, "description": ""# + String(repeating: "x", count: 70_000) + #""}"#
            let tooLarge = try await server.request(.POST, "/v1/payments", body: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.headers.first(name: "Content-Type") == "application/problem+json")

            let form = try await server.request(
                .POST, "/v1/payments", body: "amount=1", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)

            let badKey = try await server.request(
                .POST, "/v1/payments", body: PaymentBodies.bankAccount(clientRef: "K"),
                headers: [("Idempotency-Key", String(repeating: "k", count: 300))]
            )
            #expect(badKey.status == 422)
            let errors = badKey.json["errors"] as? [[String: any Sendable]] ?? []
            #expect(errors.first?["parameter"] as? String == "Idempotency-Key")
            try await expectNothingRecorded(server)
        }
    }

    @Test("List parameters are validated")
    func listParametersAreValidated() async throws {
        try await TestServer.with { server in
            for query in ["limit=0", "limit=101", "limit=abc", "status=done", "cursor=%%%", "colour=red"] {
                let result = try await server.request(.GET, "/v1/payments?\(query)")
                #expect(result.status == 422, "\(query)")
                #expect(result.headers.first(name: "Content-Type") == "application/problem+json")
            }
        }
    }

    private func expectNothingRecorded(_ server: TestServer) async throws {
        let inspector = DatabaseInspector(path: server.databasePath)
        #expect(try await inspector.count("payments") == 0)
        #expect(try await inspector.count("jobs") == 0)
        let stats = try await server.sandboxStats()
        #expect(stats["payments"] as? Int == 0)
    }
}
