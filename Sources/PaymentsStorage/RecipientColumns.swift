import PaymentsCore

/// The recipient as the `payments` table spreads it over columns, in both stores.
struct RecipientColumns {
    var type: String
    var accountNumber: String?
    var routingNumber: String?
    var email: String?
    var phone: String?

    init(type: String, accountNumber: String?, routingNumber: String?, email: String?, phone: String?) {
        self.type = type
        self.accountNumber = accountNumber
        self.routingNumber = routingNumber
        self.email = email
        self.phone = phone
    }

    init(_ recipient: Recipient) {
        switch recipient {
        case .bankAccount(_, let accountNumber, let routingNumber):
            self.init(
                type: "bank_account", accountNumber: accountNumber, routingNumber: routingNumber.digits, email: nil,
                phone: nil
            )
        case .zelle(_, .email(let address)):
            self.init(type: "zelle", accountNumber: nil, routingNumber: nil, email: address, phone: nil)
        case .zelle(_, .phone(let number)):
            self.init(type: "zelle", accountNumber: nil, routingNumber: nil, email: nil, phone: number)
        }
    }

    /// The recipient these columns hold, or `nil` when they do not make one this version can read.
    func recipient(name: String) -> Recipient? {
        switch type {
        case "bank_account":
            routingNumber.flatMap(RoutingNumber.init).map {
                .bankAccount(name: name, accountNumber: accountNumber ?? "", routingNumber: $0)
            }
        case "zelle":
            if let email {
                .zelle(name: name, token: .email(email))
            } else {
                .zelle(name: name, token: .phone(phone ?? ""))
            }
        default:
            nil
        }
    }
}
