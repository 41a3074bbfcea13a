import PaymentsCore
import PaymentsStorage

/// The store the simulator runs on, for the store contract tests: the SQLite store on an in-memory database, behind
/// the simulated store's fault points (through which every call outside a simulation passes untouched).
public enum InMemoryPaymentStore {
    /// A migrated, empty store that lives as long as the value returned.
    public static func make(ring: DataKeyRing) async throws -> any PaymentStore {
        let database = try SQLitePaymentStore(path: ":memory:", ring: ring)
        try await database.migrate()
        return SimulatedStore(
            inner: database, scheduler: SimulationScheduler(), ledger: SimulationLedger(), mutation: nil)
    }
}
