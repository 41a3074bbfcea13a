@testable import PaymentsStorage

/// Reads a test server's SQLite file directly, to prove what was (not) recorded.
struct DatabaseInspector {
    let path: String

    func count(_ table: String, where condition: String = "1 = 1") async throws -> Int {
        let database = try SQLiteDatabase(path: path)
        return try await database.read { db in
            Int(try db.query("SELECT COUNT(*) FROM \(table) WHERE \(condition)").first?.int(0) ?? 0)
        }
    }

    /// Runs one statement, as a person with the file and the sqlite3 tool could.
    func execute(_ sql: String) async throws {
        let database = try SQLiteDatabase(path: path)
        try await database.write { db in try db.execute(sql) }
    }
}
