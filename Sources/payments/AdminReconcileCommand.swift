import ArgumentParser
import AsyncHTTPClient
import BankClient
import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsOrchestrator
import PaymentsSupport

/// `payments admin reconcile`: one reconciliation run now, against the bank `BANK_BASE_URL` names, with the same
/// settings and the same lease as the servers' runs (it waits for none: if a server is running one, it says so).
struct AdminReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Run one reconciliation now: the bank's settlement report, then the payments still open.")

    @OptionGroup var options: AdminOptions

    func run() async throws {
        // The bank is checked before the database is opened, so that a missing bank creates no SQLite file.
        let bank: BankClientConfiguration
        let reconciler: ReconcilerConfiguration
        do {
            guard let remote = try ServeConfiguration.remoteBank(environment: .process) else {
                throw ConfigurationError(
                    setting: ServeSettings.bankBaseURL.variable,
                    reason: "must be the bank's URL: the built-in sandbox lives inside payments serve")
            }
            bank = remote
            reconciler = try ServeConfiguration.reconciler(environment: .process)
        } catch {
            exitWithConfigurationError(error)
        }
        let summary = try await options.withStore { store, logger, _ in
            let tlsClient = try BankTLS.makeHTTPClient(configuration: bank)
            let httpClient = tlsClient ?? HTTPClient(eventLoopGroupProvider: .singleton)
            let client = HTTPBankClient(configuration: bank, httpClient: httpClient, logger: logger)
            let summary = await Self.reconcileOnce(
                store: store, bank: client, configuration: reconciler, logger: logger)
            try? await httpClient.shutdown()
            return summary
        }
        if options.json {
            options.printJSON(
                .object([
                    "ran": .bool(summary.ran), "reported": .integer(Int64(summary.reported)),
                    "queried": .integer(Int64(summary.queried)), "changed": .integer(Int64(summary.changed)),
                    "failed": .bool(summary.failed),
                ]))
        } else if summary.ran {
            print(
                "reconciled: \(summary.reported) listed in the settlement report, \(summary.queried) asked about, "
                    + "\(summary.changed) changed" + (summary.failed ? "; some steps failed (see the log)" : ""))
        } else {
            print("another instance is running a reconciliation (or the database is unreachable); try again shortly")
        }
        if summary.failed || !summary.ran { throw ExitCode(1) }
    }

    private static func reconcileOnce(
        store: some PaymentStore, bank: some BankGateway, configuration: ReconcilerConfiguration, logger: Logger
    ) async -> ReconciliationSummary {
        await Reconciler(store: store, bank: bank, configuration: configuration, logger: logger).reconcileOnce()
    }
}
