import Foundation
import NIOCore
import PaymentsCore
import Testing

@testable import PaymentsAPI

@Suite("Payment JSON written directly: the same bytes as JSONEncoder")
struct PaymentResourceJSONTests {
    static let at = Date(timeIntervalSince1970: 1_764_000_000.123456)

    static func payment(recipient: Recipient, description: String?, history: [PaymentHistoryEntry]) -> Payment {
        var payment = Payment(
            id: UUID(), clientID: "erp", clientRef: "INV-\"1002\"/é",
            amount: Money(minorUnits: 1250, currency: Currency(code: "USD")!),
            recipient: recipient, description: description, status: .returned, bankRef: "BNK-1", returnCode: "R01",
            failureReason: "Insufficient funds\n\t\u{01}\u{1F}\u{7F} \\ / \u{2028}", attempts: 3, createdAt: at,
            updatedAt: at.addingTimeInterval(2.5),
            traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        )
        payment.history = history
        return payment
    }

    static let payments: [Payment] = [
        payment(
            recipient: .bankAccount(
                name: "Acme \"LLC\"", accountNumber: "000123456789", routingNumber: RoutingNumber("021000021")!),
            description: "Invoice\u{8}\u{C}\r 1002 😀",
            history: [
                PaymentHistoryEntry(status: .initiated, at: at, source: .api, applied: true),
                PaymentHistoryEntry(
                    status: .processing, at: at, source: .webhook, applied: false, detail: "not applied: x"),
            ]
        ),
        payment(recipient: .zelle(name: "Ann", token: .email("ann@example.com")), description: nil, history: []),
        payment(recipient: .zelle(name: "Bob", token: .phone("+12025550123")), description: "", history: []),
    ]

    @Test("A payment", arguments: payments)
    func payment(_ payment: Payment) throws {
        var json = JSONWriter()
        PaymentResource(payment: payment).write(to: &json)
        let expected = try JSONEncoder.api.encode(PaymentResource(payment: payment))
        #expect(String(buffer: json.buffer) == String(decoding: expected, as: UTF8.self))
    }

    @Test("A page of payments, with and without a cursor")
    func page() throws {
        for next in [nil, PaymentCursor(createdAtMicros: 1_700_000_000_123_456, id: UUID())] {
            let resource = PaymentListResource(page: PaymentPage(payments: Self.payments, next: next))
            var json = JSONWriter()
            resource.write(to: &json)
            let expected = try JSONEncoder.api.encode(resource)
            #expect(String(buffer: json.buffer) == String(decoding: expected, as: UTF8.self))
        }
    }
}
