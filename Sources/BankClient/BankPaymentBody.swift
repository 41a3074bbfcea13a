import PaymentsCore
import PaymentsSupport

/// The JSON body of `POST /v1/payments` at the bank. The full account number goes here and nowhere else.
///
/// `end_to_end_id` is our payment id: the reference the bank deduplicates and reports by, unique across every client
/// of ours. Two clients may use the same `client_ref`, which travels only as the payee's remittance information.
public enum BankPaymentBody {
    public static func json(_ submission: BankSubmission) -> JSONValue {
        let recipient: JSONValue
        switch submission.recipient {
        case .bankAccount(let name, let accountNumber, let routingNumber):
            recipient = .object([
                "type": .string("bank_account"), "name": .string(name), "account_number": .string(accountNumber),
                "routing_number": .string(routingNumber.digits),
            ])
        case .zelle(let name, .email(let email)):
            recipient = .object(["type": .string("zelle"), "name": .string(name), "email": .string(email)])
        case .zelle(let name, .phone(let phone)):
            recipient = .object(["type": .string("zelle"), "name": .string(name), "phone": .string(phone)])
        }
        return .object([
            "payment_id": .string(submission.paymentID.lowercased),
            "end_to_end_id": .string(submission.paymentID.lowercased), "amount": .integer(submission.amount.minorUnits),
            "currency": .string(submission.amount.currency.code), "recipient": recipient,
            "client_ref": .string(submission.clientRef),
        ])
    }
}
