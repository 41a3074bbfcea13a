import Foundation
import PaymentsCore

/// The recipient as the `payments` table spreads it over columns, in both stores.
///
/// The account number, the Zelle e-mail and the Zelle phone are stored sealed (``PaymentsCore/DataKeyRing``), with
/// the id of the key that sealed them in `recipient_key_id`, the account's last four digits and its blind index
/// beside them. A row written before sealing existed has no key id and clear values, until `migrate` seals them. A
/// bank account whose sealed number retention destroyed keeps its last four digits.
struct RecipientColumns {
    var type: String
    var accountNumber: String?
    var routingNumber: String?
    var email: String?
    var phone: String?
    var accountLast4: String?
    var accountIndex: String?
    var keyID: String?

    /// The field names sealed values are bound to.
    enum Field {
        static let accountNumber = "recipient_account_number"
        static let email = "recipient_email"
        static let phone = "recipient_phone"
    }

    init(
        type: String, accountNumber: String?, routingNumber: String?, email: String?, phone: String?,
        accountLast4: String?, accountIndex: String?, keyID: String?
    ) {
        self.type = type
        self.accountNumber = accountNumber
        self.routingNumber = routingNumber
        self.email = email
        self.phone = phone
        self.accountLast4 = accountLast4
        self.accountIndex = accountIndex
        self.keyID = keyID
    }

    /// The columns of a new payment's recipient, sealed with the ring's first key.
    init(_ recipient: Recipient, paymentID: UUID, ring: DataKeyRing) {
        func seal(_ text: String, _ field: String) -> String { ring.seal(text, paymentID: paymentID, field: field) }
        switch recipient {
        case .bankAccount(_, let accountNumber, let routingNumber):
            self.init(
                type: "bank_account", accountNumber: seal(accountNumber, Field.accountNumber),
                routingNumber: routingNumber.digits, email: nil, phone: nil,
                accountLast4: String(accountNumber.suffix(4)),
                accountIndex: ring.blindIndex(accountNumber: accountNumber, routingNumber: routingNumber.digits),
                keyID: ring.sealingKeyID)
        case .zelle(_, .email(let address)):
            self.init(
                type: "zelle", accountNumber: nil, routingNumber: nil, email: seal(address, Field.email), phone: nil,
                accountLast4: nil, accountIndex: nil, keyID: ring.sealingKeyID)
        case .zelle(_, .phone(let number)):
            self.init(
                type: "zelle", accountNumber: nil, routingNumber: nil, email: nil, phone: seal(number, Field.phone),
                accountLast4: nil, accountIndex: nil, keyID: ring.sealingKeyID)
        }
    }

    /// Whether these columns still hold clear values from before sealing.
    var isLegacyClear: Bool {
        keyID == nil && (accountNumber != nil || email != nil || phone != nil)
    }

    /// The recipient these columns hold, its sealed values opened; `nil` when they do not make one this version can
    /// read. Throws ``StoreError`` (corrupt) when a sealed value does not open: another row's value, a key no longer
    /// in the ring, or tampering.
    func recipient(name: String, paymentID: UUID, ring: DataKeyRing) throws -> Recipient? {
        func open(_ value: String?, _ field: String) throws -> String? {
            guard let value else { return nil }
            guard keyID != nil else { return value }
            do {
                return try ring.open(value, paymentID: paymentID, field: field)
            } catch {
                throw StoreError(.corrupt, debugDescription: "payment \(paymentID.lowercased): \(field): \(error)")
            }
        }
        switch type {
        case "bank_account":
            guard let routing = routingNumber.flatMap(RoutingNumber.init) else { return nil }
            // A destroyed number leaves its last four digits, which is all that is ever shown of it.
            let account = try open(accountNumber, Field.accountNumber) ?? accountLast4 ?? ""
            return .bankAccount(name: name, accountNumber: account, routingNumber: routing)
        case "zelle":
            if let email = try open(email, Field.email) { return .zelle(name: name, token: .email(email)) }
            return .zelle(name: name, token: .phone(try open(phone, Field.phone) ?? ""))
        default:
            return nil
        }
    }
}
