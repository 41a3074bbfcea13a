import PaymentsCore

/// The JSON body of `POST /v1/payments` at the bank. The full account number goes here and nowhere else.
struct BankPaymentBody: Encodable {
    struct RecipientBody: Encodable {
        var type: String
        var name: String
        var account_number: String?
        var routing_number: String?
        var email: String?
        var phone: String?
    }

    var payment_id: String
    var amount: Int64
    var currency: String
    var recipient: RecipientBody
    var client_ref: String

    init(_ submission: BankSubmission) {
        payment_id = submission.paymentID.lowercased
        amount = submission.amount.minorUnits
        currency = submission.amount.currency.code
        client_ref = submission.clientRef
        switch submission.recipient {
        case .bankAccount(let name, let accountNumber, let routingNumber):
            recipient = RecipientBody(type: "bank_account", name: name, account_number: accountNumber, routing_number: routingNumber.digits)
        case .zelle(let name, .email(let email)):
            recipient = RecipientBody(type: "zelle", name: name, email: email)
        case .zelle(let name, .phone(let phone)):
            recipient = RecipientBody(type: "zelle", name: name, phone: phone)
        }
    }
}
