import Foundation
import PaymentsSupport

/// Turns a client's JSON body into a ``PaymentRequest``, collecting every field error rather than the first.
public struct PaymentRequestParser: Sendable {
    /// What amounts and currencies are accepted.
    public var limits: PaymentLimits

    /// Creates a parser.
    public init(limits: PaymentLimits = .default) {
        self.limits = limits
    }

    static let topLevelFields: Set<String> = ["amount", "currency", "client_ref", "recipient", "description"]
    static let bankAccountFields: Set<String> = ["type", "name", "account_number", "routing_number"]
    static let zelleFields: Set<String> = ["type", "name", "email", "phone"]

    /// Validates a decoded body.
    public func parse(_ body: JSONValue) -> Result<PaymentRequest, ValidationError> {
        guard case .object(let fields) = body else {
            return .failure(ValidationError([FieldError(pointer: "", detail: "the body must be a JSON object")]))
        }
        var errors: [FieldError] = []
        for key in fields.keys.sorted() where !Self.topLevelFields.contains(key) {
            errors.append(FieldError(pointer: "/" + escape(key), detail: "unknown field"))
        }
        let amount = parseAmount(fields["amount"], errors: &errors)
        let currency = parseCurrency(fields["currency"], errors: &errors)
        let clientRef = parseClientRef(fields["client_ref"], errors: &errors)
        let recipient = parseRecipient(fields["recipient"], errors: &errors)
        let description = parseDescription(fields["description"], errors: &errors)

        guard errors.isEmpty, let amount, let currency, let clientRef, let recipient else {
            return .failure(ValidationError(errors))
        }
        return .success(
            PaymentRequest(
                amount: Money(minorUnits: amount, currency: currency), clientRef: clientRef,
                recipient: recipient, description: description
            )
        )
    }

    private func parseAmount(_ value: JSONValue?, errors: inout [FieldError]) -> Int64? {
        let limit = limits.maximumMinorUnits
        let rule = "must be a positive integer number of minor units, at most \(limit)"
        switch value {
        case nil:
            errors.append(FieldError(pointer: "/amount", detail: "is required"))
        case .integer(let amount) where amount > 0 && amount <= limit:
            return amount
        case .integer, .number:
            errors.append(FieldError(pointer: "/amount", detail: rule))
        case .some(let other):
            errors.append(FieldError(pointer: "/amount", detail: "\(rule); got a \(other.typeName)"))
        }
        return nil
    }

    private func parseCurrency(_ value: JSONValue?, errors: inout [FieldError]) -> Currency? {
        guard let value else {
            errors.append(FieldError(pointer: "/currency", detail: "is required"))
            return nil
        }
        guard case .string(let code) = value else {
            errors.append(FieldError(pointer: "/currency", detail: "must be a string; got a \(value.typeName)"))
            return nil
        }
        guard let currency = Currency(code: code) else {
            errors.append(FieldError(pointer: "/currency", detail: "must be an upper-case ISO 4217 currency code"))
            return nil
        }
        guard limits.supportedCurrencies.contains(code) else {
            let supported = limits.supportedCurrencies.sorted().joined(separator: ", ")
            errors.append(FieldError(pointer: "/currency", detail: "\(code) is not supported; supported: \(supported)"))
            return nil
        }
        return currency
    }

    private func parseClientRef(_ value: JSONValue?, errors: inout [FieldError]) -> String? {
        guard let text = requiredString(value, pointer: "/client_ref", errors: &errors) else { return nil }
        if let problem = Self.clientRefProblem(text) {
            errors.append(FieldError(pointer: "/client_ref", detail: problem))
            return nil
        }
        return text
    }

    /// Why `text` is not a `client_ref` (`^[A-Za-z0-9._:/-]{1,64}$`), or `nil`; the body field and the list's query
    /// parameter share it.
    public static func clientRefProblem(_ text: String) -> String? {
        let allowed = text.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "-")]
                    .contains(byte)
        }
        guard (1...64).contains(text.utf8.count), allowed else {
            return "must be 1 to 64 characters of A-Z, a-z, 0-9 and . _ : / -"
        }
        return nil
    }

    private func parseDescription(_ value: JSONValue?, errors: inout [FieldError]) -> String? {
        switch value {
        case nil, .null:
            return nil
        case .string(let text):
            if let problem = TextRules.problem(text, maximum: 140) {
                errors.append(FieldError(pointer: "/description", detail: problem))
                return nil
            }
            return text
        case .some(let other):
            errors.append(FieldError(pointer: "/description", detail: "must be a string; got a \(other.typeName)"))
        }
        return nil
    }

    private func parseRecipient(_ value: JSONValue?, errors: inout [FieldError]) -> Recipient? {
        guard let value else {
            errors.append(FieldError(pointer: "/recipient", detail: "is required"))
            return nil
        }
        guard case .object(let fields) = value else {
            errors.append(FieldError(pointer: "/recipient", detail: "must be an object; got a \(value.typeName)"))
            return nil
        }
        guard case .string(let type) = fields["type"] else {
            errors.append(FieldError(pointer: "/recipient/type", detail: "must be \"bank_account\" or \"zelle\""))
            return nil
        }
        let known: Set<String>
        switch type {
        case "bank_account": known = Self.bankAccountFields
        case "zelle": known = Self.zelleFields
        default:
            errors.append(FieldError(pointer: "/recipient/type", detail: "must be \"bank_account\" or \"zelle\""))
            return nil
        }
        for key in fields.keys.sorted() where !known.contains(key) {
            errors.append(FieldError(pointer: "/recipient/" + escape(key), detail: "unknown field for \(type)"))
        }
        let name = parseName(fields["name"], errors: &errors)
        if type == "bank_account" {
            let account = parseAccountNumber(fields["account_number"], errors: &errors)
            let routing = parseRoutingNumber(fields["routing_number"], errors: &errors)
            guard let name, let account, let routing else { return nil }
            return .bankAccount(name: name, accountNumber: account, routingNumber: routing)
        }
        let token = parseZelleToken(email: fields["email"], phone: fields["phone"], errors: &errors)
        guard let name, let token else { return nil }
        return .zelle(name: name, token: token)
    }

    private func parseName(_ value: JSONValue?, errors: inout [FieldError]) -> String? {
        guard let name = requiredString(value, pointer: "/recipient/name", errors: &errors) else { return nil }
        let trimmed = name.trimmingWhitespace
        if let problem = TextRules.problem(trimmed, minimum: 1, maximum: 100, visible: true) {
            errors.append(FieldError(pointer: "/recipient/name", detail: problem))
            return nil
        }
        return trimmed
    }

    private func parseAccountNumber(_ value: JSONValue?, errors: inout [FieldError]) -> String? {
        guard let text = requiredString(value, pointer: "/recipient/account_number", errors: &errors) else {
            return nil
        }
        guard (4...17).contains(text.utf8.count), text.utf8.allSatisfy({ (48...57).contains($0) }) else {
            errors.append(FieldError(pointer: "/recipient/account_number", detail: "must be 4 to 17 digits"))
            return nil
        }
        return text
    }

    private func parseRoutingNumber(_ value: JSONValue?, errors: inout [FieldError]) -> RoutingNumber? {
        guard let text = requiredString(value, pointer: "/recipient/routing_number", errors: &errors) else {
            return nil
        }
        guard let routing = RoutingNumber(text) else {
            errors.append(
                FieldError(
                    pointer: "/recipient/routing_number",
                    detail: "must be a 9-digit ABA routing number with a valid checksum"
                )
            )
            return nil
        }
        return routing
    }

    private func parseZelleToken(email: JSONValue?, phone: JSONValue?, errors: inout [FieldError]) -> Recipient
        .ZelleToken?
    {
        switch (email, phone) {
        case (nil, nil):
            errors.append(FieldError(pointer: "/recipient", detail: "a zelle recipient needs an email or a phone"))
        case (.some, .some):
            errors.append(FieldError(pointer: "/recipient", detail: "give either email or phone, not both"))
        case (.some(let value), nil):
            guard let text = requiredString(value, pointer: "/recipient/email", errors: &errors) else { return nil }
            guard EmailAddress.isValid(text) else {
                errors.append(FieldError(pointer: "/recipient/email", detail: "must be a valid e-mail address"))
                return nil
            }
            return .email(text.lowercased())
        case (nil, .some(let value)):
            guard let text = requiredString(value, pointer: "/recipient/phone", errors: &errors) else { return nil }
            guard PhoneNumber.isValidE164(text) else {
                errors.append(
                    FieldError(pointer: "/recipient/phone", detail: "must be an E.164 number such as +12025550123")
                )
                return nil
            }
            return .phone(text)
        }
        return nil
    }

    private func requiredString(_ value: JSONValue?, pointer: String, errors: inout [FieldError]) -> String? {
        switch value {
        case nil:
            errors.append(FieldError(pointer: pointer, detail: "is required"))
        case .string(let text):
            return text
        case .some(let other):
            errors.append(FieldError(pointer: pointer, detail: "must be a string; got a \(other.typeName)"))
        }
        return nil
    }

    private func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
