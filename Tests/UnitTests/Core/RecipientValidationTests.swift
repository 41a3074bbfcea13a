import PaymentsCore
import PaymentsSupport
import Testing

@Suite("Recipient and amount validation")
struct RecipientValidationTests {
    @Test(
        "ABA checksum accepts real routing numbers and rejects near misses",
        arguments: [
            ("021000021", true), ("011000015", true), ("121000358", true), ("026009593", true),
            ("021000022", false), ("000000000", false), ("12345678", false), ("0210000210", false),
            ("02100002a", false),
        ])
    func routingChecksum(_ number: String, _ valid: Bool) {
        #expect((RoutingNumber(number) != nil) == valid)
    }

    @Test(
        "E-mail addresses",
        arguments: [
            ("ap@acme.com", true), ("first.last+tag@sub.example.co", true), ("no-at-sign.com", false), ("a@b", false),
            ("a@@b.com", false), ("a b@c.com", false), (".a@b.com", false), ("a@-b.com", false), ("a@b.c0m", false),
        ])
    func emails(_ address: String, _ valid: Bool) {
        #expect(EmailAddress.isValid(address) == valid)
    }

    @Test(
        "E.164 phone numbers",
        arguments: [
            ("+12025550123", true), ("+447911123456", true), ("12025550123", false), ("+0123456789", false),
            ("+1 202 555 0123", false), ("+1234567", false), ("+1234567890123456", false),
        ])
    func phones(_ number: String, _ valid: Bool) {
        #expect(PhoneNumber.isValidE164(number) == valid)
    }

    @Test("A valid request parses, with the account number kept but masked in descriptions")
    func validRequestParses() throws {
        let body: JSONValue = .object([
            "amount": .integer(1250), "currency": .string("USD"), "client_ref": .string("INV-1002"),
            "recipient": .object([
                "type": .string("bank_account"), "name": .string(" Acme LLC "),
                "account_number": .string("000123456789"), "routing_number": .string("021000021"),
            ]),
        ])
        let request = try PaymentRequestParser().parse(body).get()
        #expect(request.amount == Money(minorUnits: 1250, currency: .usd))
        #expect(request.recipient.name == "Acme LLC")
        #expect(!"\(request.recipient)".contains("000123456789"))
        #expect(!String(reflecting: request.recipient).contains("000123456789"))
        #expect(
            request.recipient.masked == .bankAccount(name: "Acme LLC", accountLast4: "6789", routingNumber: "021000021")
        )
    }

    @Test("Every field error is reported at once, with its pointer")
    func allErrorsReported() {
        let body: JSONValue = .object([
            "amount": .integer(0), "currency": .string("EUR"), "client_ref": .string(""), "extra": .bool(true),
            "recipient": .object(["type": .string("zelle"), "name": .string("A"), "phone": .string("123")]),
        ])
        guard case .failure(let error) = PaymentRequestParser().parse(body) else {
            Issue.record("expected a failure")
            return
        }
        #expect(
            Set(error.errors.map(\.pointer)) == ["/extra", "/amount", "/currency", "/client_ref", "/recipient/phone"])
    }

    @Test("Fingerprints are keyed, differ when any field differs and match for the same request")
    func fingerprints() throws {
        let ring = DataKeyRing(keys: [("k", Array(repeating: 1, count: 32))], indexKey: Array(repeating: 2, count: 32))
        let other = DataKeyRing(keys: [("k", Array(repeating: 1, count: 32))], indexKey: Array(repeating: 3, count: 32))
        func request(_ amount: Int64, _ ref: String = "A") -> PaymentRequest {
            PaymentRequest(
                amount: Money(minorUnits: amount, currency: .usd), clientRef: ref,
                recipient: .zelle(name: "A", token: .email("a@b.co")), description: nil
            )
        }
        #expect(ring.fingerprint(request(1)) == ring.fingerprint(request(1)))
        #expect(ring.fingerprint(request(1)) != ring.fingerprint(request(2)))
        #expect(ring.fingerprint(request(1, "A")) != ring.fingerprint(request(1, "B")))
        // Without the index key, a fingerprint is no hash anyone can test guesses of an account number against.
        #expect(ring.fingerprint(request(1)) != other.fingerprint(request(1)))
    }

    @Test("Money renders with the currency's minor units, never through floating point")
    func moneyDescription() {
        #expect(Money(minorUnits: 1250, currency: .usd).description == "USD 12.50")
        #expect(Money(minorUnits: 5, currency: .usd).description == "USD 0.05")
        #expect(Money(minorUnits: 1000, currency: Currency(code: "JPY")!).description == "JPY 1000")
        #expect(Money(minorUnits: 1234, currency: Currency(code: "KWD")!).description == "KWD 1.234")
    }
}
