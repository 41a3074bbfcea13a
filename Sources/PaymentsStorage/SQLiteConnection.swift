import CSQLite
import PaymentsCore

/// One SQLite connection. Not thread-safe: ``SQLiteDatabase`` confines it to a single serial queue.
final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// Rows stepped through in full scans by the cached statements so far (SQLite counts per statement, across
    /// executions): what a test reads to prove that a table's statements find their rows through an index, whatever
    /// the table holds. Read on demand, so the statements themselves pay nothing for it.
    var fullScanSteps: Int64 {
        statements.values.reduce(0) { $0 + Int64(sqlite3_stmt_status($1, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0)) }
    }

    // SQLite copies bound text only with SQLITE_TRANSIENT, which the C macro expresses as a cast Swift cannot import.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError.unavailable("sqlite3_open_v2 failed with code \(code)")
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 5_000)
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs SQL that takes no parameters and returns no rows (DDL, pragmas, transaction control).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "code \(code)"
            sqlite3_free(message)
            throw error(code: code, context: "\(text) in: \(sql.prefix(120))")
        }
    }

    /// Runs one statement with bound parameters and returns every row.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [SQLiteRow] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch parameter {
            case .null: code = sqlite3_bind_null(statement, index)
            case .integer(let value): code = sqlite3_bind_int64(statement, index, value)
            case .text(let value):
                // With its byte length, not up to the first NUL: text is stored whole or (by validation) not at all.
                code = sqlite3_bind_text(statement, index, value, Int32(value.utf8.count), Self.transient)
            }
            guard code == SQLITE_OK else { throw error(code: code, context: "bind \(index) of: \(sql.prefix(120))") }
        }
        var rows: [SQLiteRow] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw error(code: code, context: sql) }
            let count = sqlite3_column_count(statement)
            var values: [SQLiteValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: values.append(.null)
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
                default:
                    if let text = sqlite3_column_text(statement, column) {
                        let bytes = UnsafeBufferPointer(
                            start: text, count: Int(sqlite3_column_bytes(statement, column)))
                        values.append(.text(String(decoding: bytes, as: UTF8.self)))
                    } else {
                        values.append(.null)
                    }
                }
            }
            rows.append(SQLiteRow(values: values))
        }
        return rows
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code: code, context: "prepare: \(sql.prefix(120))") }
        statements[sql] = statement
        return statement
    }

    private func error(code: Int32, context: String) -> any Error {
        let message = String(cString: sqlite3_errmsg(handle))
        let primary = code & 0xff
        // Busy, locked, I/O and full-disk failures are conditions the caller may retry; the rest (constraint
        // violations included: every write checks first, inside its transaction) are defects. SQLite's messages name
        // tables and columns, never values.
        let retryable = [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_READONLY]
        let detail = "sqlite error \(code): \(message) (\(context))"
        return retryable.contains(primary)
            ? StoreError.unavailable(detail) : StoreError(.corrupt, debugDescription: detail)
    }
}

/// One result row, read by column position.
struct SQLiteRow {
    var values: [SQLiteValue]

    func int(_ index: Int) -> Int64 {
        if case .integer(let value) = values[index] { return value }
        return 0
    }

    func text(_ index: Int) -> String {
        if case .text(let value) = values[index] { return value }
        return ""
    }

    func optionalText(_ index: Int) -> String? {
        if case .text(let value) = values[index] { return value }
        return nil
    }

    func optionalInt(_ index: Int) -> Int64? {
        if case .integer(let value) = values[index] { return value }
        return nil
    }
}
