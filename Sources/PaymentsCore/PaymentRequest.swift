import Crypto
import Foundation
import PaymentsSupport

/// A validated request to pay someone.
public struct PaymentRequest: Sendable, Hashable {
    /// What to pay.
    public var amount: Money
    /// The client's reference, unique per client.
    public var clientRef: String
    /// Who to pay.
    public var recipient: Recipient
    /// Free text shown to the recipient where the rail allows.
    public var description: String?

    /// Creates a request; see ``PaymentRequestParser`` for the validated path from JSON.
    public init(amount: Money, clientRef: String, recipient: Recipient, description: String?) {
        self.amount = amount
        self.clientRef = clientRef
        self.recipient = recipient
        self.description = description
    }

    /// Every field in one unambiguous string, for ``DataKeyRing/fingerprint(_:)``: a keyed digest of it tells a replay
    /// from a different request with the same key without storing the request twice.
    public var canonicalForm: String {
        var canonical = "v1|\(amount.minorUnits)|\(amount.currency.code)|\(clientRef.utf8.count):\(clientRef)|"
        switch recipient {
        case .bankAccount(let name, let accountNumber, let routingNumber):
            canonical += "bank_account|\(name.utf8.count):\(name)|\(accountNumber)|\(routingNumber.digits)|"
        case .zelle(let name, .email(let email)):
            canonical += "zelle|\(name.utf8.count):\(name)|email:\(email)|"
        case .zelle(let name, .phone(let phone)):
            canonical += "zelle|\(name.utf8.count):\(name)|phone:\(phone)|"
        }
        if let description { canonical += "\(description.utf8.count):\(description)" }
        return canonical
    }
}
