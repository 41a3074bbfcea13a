import ArgumentParser
import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsStorage

/// `payments migrate`: applies database migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and exit.")

    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        do {
            let logger = try LogBootstrap.bootstrap(environment: environment)
            let text = databaseURL ?? environment["DATABASE_URL"] ?? "sqlite:./data/payments.sqlite"
            let database = try ServeConfiguration.parseDatabase(text, setting: databaseURL != nil ? "--database-url" : "DATABASE_URL")
            switch database {
            case .sqlite(let path):
                try await SQLitePaymentStore(path: path).migrate()
            case .postgres:
                throw ConfigurationError(setting: "DATABASE_URL", reason: "PostgreSQL is not available in this build yet")
            }
            logger.info("Database migrated")
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        }
    }
}
