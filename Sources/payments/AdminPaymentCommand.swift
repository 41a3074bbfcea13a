import ArgumentParser
import Foundation
import PaymentsApp
import PaymentsCore

/// `payments admin payment <id>`: one payment with its history, jobs, attempts and trace id.
struct AdminPaymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment", abstract: "Show a payment with its history, jobs, attempts and trace id.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "The payment id (a UUID).") var paymentID: String

    func validate() throws {
        _ = try identifier(paymentID, naming: "the payment id")
    }

    func run() async throws {
        let id = try identifier(paymentID, naming: "the payment id")
        let inspection = try await options.withStore { store, _, _ -> PaymentInspection? in
            guard let payment = try await store.payment(id: id) else { return nil }
            return PaymentInspection(payment: payment, jobs: try await store.jobs(ofPayment: id))
        }
        guard let inspection else {
            FileHandle.standardError.write(Data("payments: no payment \(id.lowercased)\n".utf8))
            throw ExitCode(1)
        }
        if options.json {
            options.printJSON(inspection.json)
        } else {
            print(inspection.text)
        }
    }
}
