import Foundation
import PaymentsCore
import PaymentsStorage
import Testing

/// The databases the store contract runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Runs `body` with a migrated, empty store of this kind.
    func withStore(_ body: (any PaymentStore) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let store = try SQLitePaymentStore(path: TestServer.temporaryDatabasePath(), ring: TestClients.dataKeys)
            try await store.migrate()
            try await body(store)
        case .postgres:
            try await PostgresTestDatabase.withFreshStore(body)
        }
    }
}
