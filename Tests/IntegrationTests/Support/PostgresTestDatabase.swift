import Foundation
import Logging
import PaymentsCore
import PaymentsStorage
import PostgresNIO
import Testing

/// Fresh databases on the throwaway cluster `scripts/with-postgres.sh` starts (PAYMENTS_TEST_DATABASE_URL).
/// No test is skipped for lack of PostgreSQL: without the variable the test fails and says how to run it.
enum PostgresTestDatabase {
    static var adminURL: String? { ProcessInfo.processInfo.environment["PAYMENTS_TEST_DATABASE_URL"] }

    /// Creates an empty database and returns its URL.
    static func create() async throws -> String {
        guard let adminURL else {
            Issue.record(
                "PAYMENTS_TEST_DATABASE_URL is not set: run the suite with scripts/test.sh, which provisions PostgreSQL"
            )
            throw ContractFailure("no PostgreSQL")
        }
        let name = "payments_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        try await withClient(url: adminURL) { client in
            // CREATE DATABASE cannot take a bound parameter; the name is generated above from hex digits only.
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        guard let range = adminURL.range(of: "/", options: .backwards) else { throw ContractFailure("bad admin URL") }
        return adminURL[..<range.lowerBound] + "/" + name
    }

    /// Runs `body` with a migrated store on a fresh database.
    static func withFreshStore(_ body: (any PaymentStore) async throws -> Void) async throws {
        try await withClient(url: try await create()) { client in
            let store = PostgresPaymentStore(
                client: client, logger: Logger(label: "pg-test"), ring: TestClients.dataKeys)
            try await store.migrate()
            try await body(store)
        }
    }

    /// Runs `body` with a connection pool to `url` running, and stops the pool after it.
    static func withClient<T: Sendable>(
        url: String, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let settings = try PostgresStoreConfiguration(url: url)
        let client = PostgresClient(
            configuration: settings.clientConfiguration, backgroundLogger: Logger(label: "pg-test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
