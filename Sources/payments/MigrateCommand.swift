import ArgumentParser
import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsSupport

/// `payments migrate`: applies database migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply database migrations and exit.")

    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?

    func run() async throws {
        let environment = Environment.process
        do {
            let logger = try LogBootstrap.bootstrap(environment: environment)
            let database = try ServeConfiguration.database(environment: environment, flag: databaseURL)
            let setting = databaseURL != nil ? "--database-url" : "DATABASE_URL"
            let ring = try loadDataKeys(environment: environment, database: database)
            try await StoreConnection.with(database, ring: ring, setting: setting, logger: logger) {
                try await $0.migrate()
            }
            logger.info("Database migrated")
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        }
    }
}
