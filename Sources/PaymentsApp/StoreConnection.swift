import Logging
import PaymentsCore
import PaymentsStorage
import PostgresNIO

/// Opens the store a ``ServeConfiguration/Database`` names for the length of one piece of work: the server's life, a
/// migration, an operator command.
public enum StoreConnection {
    /// Opens the store, runs `body` with it, then closes it (PostgreSQL: the pool runs beside `body` and is cancelled
    /// after it). A bad PostgreSQL URL is reported as `setting`.
    public static func with<Result: Sendable>(
        _ database: ServeConfiguration.Database, ring: DataKeyRing, setting: String = "DATABASE_URL",
        logger: Logger, _ body: (any PaymentStore) async throws -> Result
    ) async throws -> Result {
        switch database {
        case .sqlite(let path):
            return try await body(try SQLitePaymentStore(path: path, ring: ring))
        case .postgres(let url):
            let settings = try PostgresStoreConfiguration(url: url, setting: setting)
            var postgresLogger = logger
            postgresLogger[metadataKey: "component"] = "postgres"
            // postgres-nio logs received data rows at trace level, and rows hold account numbers: never below debug.
            postgresLogger.logLevel = max(logger.logLevel, .debug)
            let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: postgresLogger)
            // Detached, so that it does not inherit a graceful shutdown: PostgresClient.run() closes the pool as soon
            // as one is triggered (SIGTERM), which would cut off the jobs and requests `body` is still finishing.
            // The pool stops when `body` has returned.
            let pool = Task.detached { await client.run() }
            do {
                let result = try await body(PostgresPaymentStore(client: client, logger: postgresLogger, ring: ring))
                pool.cancel()
                await pool.value
                return result
            } catch {
                pool.cancel()
                await pool.value
                throw error
            }
        }
    }
}
