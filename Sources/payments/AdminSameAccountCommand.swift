import ArgumentParser
import Foundation
import PaymentsApp
import PaymentsCore
import PaymentsSupport

/// `payments admin same-account <payment-id>`: the other payments to the same bank account, found by blind index
/// without opening any account number (for example after a return says the account is closed).
struct AdminSameAccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "same-account",
        abstract: "List the other payments to the same bank account as a payment (by blind index), newest first.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "The payment id (a UUID).") var paymentID: String
    @Option(help: "At most this many (1 to 1000).") var limit = 100

    func validate() throws {
        _ = try identifier(paymentID, naming: "the payment id")
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() async throws {
        let id = try identifier(paymentID, naming: "the payment id")
        let limit = limit
        let payments = try await options.withStore { store, _, _ -> [Payment]? in
            guard try await store.payment(id: id) != nil else { return nil }
            return try await store.paymentsToSameAccount(as: id, limit: limit)
        }
        guard let payments else {
            FileHandle.standardError.write(Data("payments: no payment \(id.lowercased)\n".utf8))
            throw ExitCode(1)
        }
        if options.json {
            options.printJSON(
                .array(
                    payments.map {
                        .object([
                            "payment_id": .string($0.id.lowercased), "client_id": .string($0.clientID),
                            "client_ref": .string($0.clientRef), "status": .string($0.status.rawValue),
                            "created_at": .string(Timestamp.format($0.createdAt)),
                        ])
                    }))
        } else if payments.isEmpty {
            print("no other payment to this account")
        } else {
            print(
                PaymentInspection.table(
                    header: ["payment_id", "client", "client_ref", "status", "created_at"],
                    rows: payments.map {
                        [
                            $0.id.lowercased, $0.clientID, $0.clientRef, $0.status.rawValue,
                            Timestamp.format($0.createdAt),
                        ]
                    }
                ).joined(separator: "\n"))
        }
    }
}
