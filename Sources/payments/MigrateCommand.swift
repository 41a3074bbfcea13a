import ArgumentParser
import Foundation
import Logging
import PaymentsApp
import PaymentsStorage
import PaymentsSupport
import PostgresNIO

/// `payments migrate`: applies database migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply database migrations and exit.")

    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?

    func run() async throws {
        let environment = Environment.process
        do {
            let logger = try LogBootstrap.bootstrap(environment: environment)
            var database = try environment.value(
                ServeSettings.databaseURL, default: .sqlite(path: "./data/payments.sqlite"))
            if let databaseURL {
                database = try ServeConfiguration.parseDatabase(databaseURL, setting: "--database-url")
            }
            switch database {
            case .sqlite(let path):
                try await SQLitePaymentStore(path: path).migrate()
            case .postgres(let url):
                let settings = try PostgresStoreConfiguration(
                    url: url, setting: databaseURL != nil ? "--database-url" : "DATABASE_URL")
                var postgresLogger = logger
                postgresLogger.logLevel = max(logger.logLevel, .debug)
                let client = PostgresClient(
                    configuration: settings.clientConfiguration, backgroundLogger: postgresLogger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run() }
                    defer { group.cancelAll() }
                    try await PostgresPaymentStore(client: client, logger: postgresLogger).migrate()
                }
            }
            logger.info("Database migrated")
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        }
    }
}
