import Foundation
import PaymentsCore
import PaymentsSimulation
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

/// The stores the store contract runs against: both databases, and the simulator's in-memory store (the SQLite
/// store on an in-memory database behind the simulator's fault points), so that the simulation's store behaves like
/// the real ones.
enum ContractStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres
    case simulation

    var testDescription: String { rawValue }

    /// Runs `body` with a migrated, empty store of this kind.
    func withStore(_ body: (any PaymentStore) async throws -> Void) async throws {
        switch self {
        case .sqlite: try await StoreKind.sqlite.withStore(body)
        case .postgres: try await StoreKind.postgres.withStore(body)
        case .simulation: try await body(InMemoryPaymentStore.make(ring: TestClients.dataKeys))
        }
    }
}
