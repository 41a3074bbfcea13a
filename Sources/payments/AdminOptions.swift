import ArgumentParser
import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsSupport

/// What every `payments admin` command shares: the database, and logs on standard error so that standard output
/// holds only the answer.
struct AdminOptions: ParsableArguments {
    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?
    @Flag(help: "Print JSON instead of text.") var json = false

    /// Runs `body` with the store; a bad setting stops the command with one line naming it.
    func withStore<Result: Sendable>(
        _ body: (any PaymentStore, Logger, Environment) async throws -> Result
    ) async throws -> Result {
        let environment = Environment.process
        do {
            let logger = try LogBootstrap.bootstrap(environment: environment, onStandardError: true)
            let database = try ServeConfiguration.database(environment: environment, flag: databaseURL)
            let ring = try loadDataKeys(environment: environment, database: database)
            return try await StoreConnection.with(
                database, ring: ring, setting: databaseURL != nil ? "--database-url" : "DATABASE_URL",
                logger: logger
            ) { store in
                try await body(store, logger, environment)
            }
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        } catch let error as StoreError {
            // The operator's own tool: the details (SQL, field names, why a sealed value did not open; never a value).
            FileHandle.standardError.write(Data("payments: \(error): \(error.debugDescription)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Writes `value` as one line of JSON on standard output.
    func printJSON(_ value: JSONValue) {
        print(String(decoding: value.serialized, as: UTF8.self))
    }
}

/// Reads a payment or job id. A value that is not one is refused without being repeated, since it could hold
/// characters that rewrite the terminal.
func identifier(_ text: String, naming name: String) throws -> UUID {
    guard let id = UUID(uuidString: text) else { throw ValidationError("\(name) must be a UUID") }
    return id
}
