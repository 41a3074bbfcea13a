import Dispatch
import PaymentsCore

/// A SQLite database file behind one connection confined to a serial queue.
///
/// SQLite allows one writer at a time anyway; running every transaction as a synchronous closure on one queue keeps
/// each transaction atomic without locks and avoids `SQLITE_BUSY` between our own connections.
final class SQLiteDatabase: Sendable {
    private let queue: DispatchQueue
    nonisolated(unsafe) private let connection: SQLiteConnection

    init(path: String) throws {
        queue = DispatchQueue(label: "payments.sqlite")
        connection = try SQLiteConnection(path: path)
        // WAL lets readers of other processes (sqlite3 CLI, backups) run beside us; synchronous=NORMAL in WAL mode
        // keeps every commit durable across a process crash (only a power loss can lose the last transactions).
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA synchronous = NORMAL")
        try connection.execute("PRAGMA foreign_keys = ON")
        // Deleted and overwritten content is zeroed, so the clear values of rows written before sealing do not stay
        // behind in free pages once they are sealed.
        try connection.execute("PRAGMA secure_delete = ON")
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; any error rolls the whole transaction back.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await run { connection in
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let value = try body(connection)
                try connection.execute("COMMIT")
                return value
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `body` against a consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await run { connection in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            return try body(connection)
        }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }
}
