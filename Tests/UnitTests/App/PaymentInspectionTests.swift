import Foundation
import PaymentsCore
import PaymentsSupport
import Testing

@testable import PaymentsApp

@Suite("What payments admin shows an operator")
struct PaymentInspectionTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func payment(clientRef: String = "INV-1", name: String = "Acme LLC") -> Payment {
        Payment(
            id: UUID(uuidString: "6f1c0000-0000-4000-8000-000000000001")!, clientID: "acme", clientRef: clientRef,
            amount: Money(minorUnits: 1250, currency: .usd),
            recipient: .bankAccount(
                name: name, accountNumber: "000123456789", routingNumber: RoutingNumber("021000021")!),
            description: nil, status: .completed, bankRef: "BNK-1", returnCode: nil, failureReason: nil, attempts: 2,
            createdAt: at, updatedAt: at.addingTimeInterval(60),
            traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            history: [
                PaymentHistoryEntry(status: .initiated, at: at, source: .api, applied: true),
                PaymentHistoryEntry(
                    status: .failed, at: at.addingTimeInterval(10), source: .bank, applied: true,
                    detail: "Account closed"),
                PaymentHistoryEntry(
                    status: .completed, at: at.addingTimeInterval(60), source: .reconciliation, applied: true,
                    correctedFrom: .failed),
            ]
        )
    }

    @Test("Text: every field, the history with its correction, the jobs; the account number masked")
    func text() {
        let job = JobRecord(
            id: UUID(uuidString: "0b0b0000-0000-4000-8000-000000000002")!, kind: .erpUpdate,
            paymentID: Self.payment().id, state: "dead", attempts: 7, runAt: Self.at, lastError: "HTTP 500",
            result: "gave up after 7 attempts", createdAt: Self.at, updatedAt: Self.at)
        let text = PaymentInspection(payment: Self.payment(), jobs: [job]).text
        for expected in [
            "6f1c0000-0000-4000-8000-000000000001", "1250 USD", "INV-1", "••••6789", "BNK-1",
            "4bf92f3577b34da6a3ce929d0e0e4736", "corrected from failed", "Account closed", "erp_update", "dead",
            "gave up after 7 attempts",
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
        #expect(!text.contains("000123456789"))
        let json = String(
            decoding: PaymentInspection(payment: Self.payment(), jobs: [job]).json.serialized, as: UTF8.self)
        #expect(json.contains(#""corrected_from":"failed""#))
        #expect(!json.contains("000123456789"))
    }

    @Test("Values from outside cannot rewrite the terminal: control and bidi characters are escaped")
    func terminalSafe() {
        let hostile = Self.payment(clientRef: "INV\u{1B}[2J\u{202E}1", name: "Acme\r\nstatus      failed")
        let text = PaymentInspection(payment: hostile, jobs: []).text
        #expect(!text.contains("\u{1B}") && !text.contains("\u{202E}") && !text.contains("\r"))
        #expect(text.contains(#"INV\u{1B}[2J\u{202E}1"#))
        #expect(text.contains(#"Acme\u{D}\u{A}status"#))
        #expect(PaymentInspection.terminalSafe("plain café ✓") == "plain café ✓")
    }
}
