/// Who receives a payment, as the client gave it. Holds the full account number: never log or render it directly,
/// use ``masked`` instead.
public enum Recipient: Sendable, Hashable {
    /// A US bank account paid by ACH.
    case bankAccount(name: String, accountNumber: String, routingNumber: RoutingNumber)
    /// A Zelle token: exactly one of an e-mail address or an E.164 phone number.
    case zelle(name: String, token: ZelleToken)

    /// The Zelle enrolment a payment is sent to.
    public enum ZelleToken: Sendable, Hashable {
        case email(String)
        case phone(String)
    }

    /// The account holder's name.
    public var name: String {
        switch self {
        case .bankAccount(let name, _, _), .zelle(let name, _): name
        }
    }

    /// The form safe to show and store in logs, traces and API responses.
    public var masked: MaskedRecipient {
        switch self {
        case .bankAccount(let name, let accountNumber, let routingNumber):
            .bankAccount(name: name, accountLast4: String(accountNumber.suffix(4)), routingNumber: routingNumber.digits)
        case .zelle(let name, let token):
            .zelle(name: name, token: token)
        }
    }
}

/// A recipient with the account number reduced to its last four digits.
public enum MaskedRecipient: Sendable, Hashable {
    case bankAccount(name: String, accountLast4: String, routingNumber: String)
    case zelle(name: String, token: Recipient.ZelleToken)
}
