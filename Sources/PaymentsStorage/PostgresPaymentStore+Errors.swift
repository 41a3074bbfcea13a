import NIOCore
import PaymentsCore
import PostgresNIO

extension PostgresPaymentStore {
    /// Turns whatever a transaction threw into a ``StoreError``: `unavailable` when trying again later may succeed
    /// (no connection, the server shutting down or overloaded, a serialization failure or deadlock), `corrupt`
    /// otherwise. `CancellationError` passes through: the caller asked to stop.
    ///
    /// Only SQLSTATEs, constraint and column names and our own SQL text go into ``StoreError/debugDescription``.
    /// PostgreSQL's message and detail fields can quote values ("Failing row contains (...)" repeats a whole row,
    /// account number included), and postgres-nio's own `debugDescription` prints them, so neither is used.
    static func storeError(_ error: any Error, operation: String) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case is CancellationError:
            return error
        case let error as PostgresTransactionError:
            // BEGIN, the work, or COMMIT failed; a failed ROLLBACK after that adds nothing the caller can act on.
            guard let cause = error.closureError ?? error.beginError ?? error.commitError else {
                return StoreError(.corrupt, debugDescription: "\(operation): transaction failed without a cause")
            }
            return storeError(cause, operation: operation)
        case let error as PSQLError:
            return storeError(error, operation: operation)
        case let error as PostgresDecodingError:
            return StoreError(
                .corrupt,
                debugDescription:
                    "\(operation): column \(error.columnName) (\(error.postgresType)) cannot be read as \(error.targetType)"
            )
        case let error as ChannelError:
            return StoreError.unavailable("\(operation): connection failed: \(error)")
        case let error as IOError:
            return StoreError.unavailable("\(operation): connection failed: errno \(error.errnoCode)")
        default:
            // The pool's ConnectionPoolError (for example its circuit breaker after repeated failed connects) comes
            // from `_ConnectionPoolModule`, which this target does not depend on, so it is recognised by name.
            let typeName = String(describing: type(of: error))
            if typeName == "ConnectionPoolError" {
                return StoreError.unavailable("\(operation): connection pool: \(error)")
            }
            return StoreError(.corrupt, debugDescription: "\(operation): unexpected \(typeName)")
        }
    }

    private static func storeError(_ error: PSQLError, operation: String) -> StoreError {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?????"
            var detail = "\(operation): SQLSTATE \(state)"
            if let table = error.serverInfo?[.tableName] { detail += " table \(table)" }
            if let column = error.serverInfo?[.columnName] { detail += " column \(column)" }
            if let constraint = error.serverInfo?[.constraintName] { detail += " constraint \(constraint)" }
            if let sql = error.query?.sql { detail += " in: \(sql.prefix(160))" }
            if isTransient(sqlState: state) { return StoreError.unavailable(detail) }
            return StoreError(state.hasPrefix("22") ? .rejectedValue : .corrupt, debugDescription: detail)
        case .clientClosedConnection, .serverClosedConnection, .connectionError, .uncleanShutdown, .poolClosed,
            .queryCancelled, .sslUnsupported, .failedToAddSSLHandler:
            return StoreError.unavailable("\(operation): connection failed (\(error.code))")
        default:
            return StoreError(.corrupt, debugDescription: "\(operation): protocol error (\(error.code))")
        }
    }

    /// SQLSTATEs worth retrying: connection exceptions (08), insufficient resources (53), the server shutting down
    /// or starting (57P01–57P03), a statement or lock timeout (57014, 55P03), and serialization failures and
    /// deadlocks (40001, 40P01).
    static func isTransient(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || sqlState.hasPrefix("53")
            || ["57P01", "57P02", "57P03", "57014", "55P03", "40001", "40P01"].contains(sqlState)
    }
}
