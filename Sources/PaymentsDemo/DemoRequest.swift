import Foundation

/// One `POST /v1/payments` of a demo run: its `client_ref`, `Idempotency-Key`, JSON body, and whether it is a valid
/// payment (which must be answered `201`) or deliberately invalid (which must be answered `422` with a field error at
/// ``Flaw/pointer``).
public struct DemoRequest: Sendable, Hashable {
    /// Who a valid payment goes to.
    public enum Recipient: String, Sendable, Hashable, CaseIterable {
        /// An ACH transfer to an account with a valid ABA routing number.
        case bankAccount = "bank_account"
        /// Zelle to an e-mail address.
        case zelleEmail = "zelle_email"
        /// Zelle to an E.164 phone number.
        case zellePhone = "zelle_phone"
    }

    /// What is wrong with a deliberately invalid request.
    public enum Flaw: String, Sendable, Hashable, CaseIterable {
        /// A routing number whose ABA checksum fails (`021000022`).
        case badRoutingNumber = "bad_routing_number"
        /// A negative amount.
        case negativeAmount = "negative_amount"
        /// A currency code that is not ISO 4217 (`XYZ`).
        case unknownCurrency = "unknown_currency"
        /// A Zelle e-mail address without an `@`.
        case invalidEmail = "invalid_email"

        /// The JSON Pointer the server's `422` must name.
        public var pointer: String {
            switch self {
            case .badRoutingNumber: "/recipient/routing_number"
            case .negativeAmount: "/amount"
            case .unknownCurrency: "/currency"
            case .invalidEmail: "/recipient/email"
            }
        }

        /// How the summary names it.
        public var label: String {
            switch self {
            case .badRoutingNumber: "bad routing number"
            case .negativeAmount: "negative amount"
            case .unknownCurrency: "unknown currency"
            case .invalidEmail: "invalid e-mail"
            }
        }
    }

    /// A valid payment or a deliberately invalid request.
    public enum Kind: Sendable, Hashable {
        /// Must be answered `201`.
        case valid(Recipient)
        /// Must be answered `422 application/problem+json` naming the flaw's pointer.
        case invalid(Flaw)
    }

    /// 1-based position in the run.
    public let number: Int
    /// `DEMO-<run id>-<number>`, unique per run.
    public let clientRef: String
    /// `demo-<run id>-<number>`, sent as `Idempotency-Key`.
    public let idempotencyKey: String
    /// Valid or not, and how.
    public let kind: Kind
    /// The amount in minor units (negative for ``Flaw/negativeAmount``).
    public let amount: Int64
    /// The JSON body.
    public let body: Data

    /// Creates a request, building its body.
    public init(number: Int, runID: String, kind: Kind) {
        self.number = number
        let suffix = String(number).leftPadded(to: 4)
        self.clientRef = "DEMO-\(runID)-\(suffix)"
        self.idempotencyKey = "demo-\(runID)-\(suffix)"
        self.kind = kind
        // Spread between $5.00 and $2,504.99, the same for the same number in every run.
        let magnitude = Int64(500 + (number * 7919) % 250_000)
        self.amount = kind == .invalid(.negativeAmount) ? -magnitude : magnitude
        self.body = Self.body(number: number, clientRef: clientRef, kind: kind, amount: amount)
    }

    /// Whether the server must accept it.
    public var isValid: Bool {
        if case .valid = kind { return true }
        return false
    }

    /// Routing numbers whose ABA checksum holds (Federal Reserve banks and large US banks).
    static let routingNumbers = [
        "021000021", "011000015", "026009593", "121000248", "111000025", "322271627", "071000013", "061000104",
    ]
    static let names = [
        "Acme LLC", "Globex Corp", "Initech Inc", "Umbrella Ltd", "Stark Industries", "Wayne Enterprises",
    ]

    private static func body(number: Int, clientRef: String, kind: Kind, amount: Int64) -> Data {
        let name = names[number % names.count]
        let bankAccount: [String: Any] = [
            "type": "bank_account", "name": name,
            "account_number": "0000\(String(100_000 + number * 37).leftPadded(to: 8))",
            "routing_number": routingNumbers[number % routingNumbers.count],
        ]
        var currency = "USD"
        let recipient: [String: Any]
        switch kind {
        case .valid(.bankAccount), .invalid(.negativeAmount):
            recipient = bankAccount
        case .valid(.zelleEmail):
            recipient = ["type": "zelle", "name": name, "email": "payee\(number)@example.com"]
        case .valid(.zellePhone):
            recipient = [
                "type": "zelle", "name": name, "phone": "+1202555\(String(number % 10_000).leftPadded(to: 4))",
            ]
        case .invalid(.badRoutingNumber):
            recipient = bankAccount.merging(["routing_number": "021000022"]) { $1 }
        case .invalid(.unknownCurrency):
            recipient = bankAccount
            currency = "XYZ"
        case .invalid(.invalidEmail):
            recipient = ["type": "zelle", "name": name, "email": "payee\(number).example.com"]
        }
        let object: [String: Any] = [
            "amount": amount, "currency": currency, "client_ref": clientRef, "recipient": recipient,
            "description": "Demo payment \(number)",
        ]
        // Strings, integers and nested dictionaries of them always serialise.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}
