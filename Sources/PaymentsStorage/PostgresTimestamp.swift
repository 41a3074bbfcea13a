import Foundation
import NIOCore
import PostgresNIO

/// A `timestamptz` value carried as whole microseconds since 1970, the same unit the SQLite store keeps.
///
/// postgres-nio's own `Date` coding converts through a `Double` relative to 2000-01-01 and truncates, so a date can
/// come back one microsecond early and differ by a few ULPs from `Date(microseconds:)`. That would break the contract
/// both stores share (exact `Date` equality, and keyset cursors built from `createdAt.microseconds`), so times are
/// rounded to the microsecond exactly as `Date.microseconds` does and converted with integer arithmetic only.
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresDecodable, Sendable, Hashable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    var microseconds: Int64

    /// PostgreSQL counts `timestamptz` in microseconds from 2000-01-01T00:00:00Z.
    static let postgresEpochOffset: Int64 = 946_684_800 * 1_000_000

    init(_ date: Date) {
        microseconds = date.microseconds
    }

    init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The same `Date` the SQLite store would return for this value.
    var date: Date { Date(microseconds: microseconds) }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(microseconds &- Self.postgresEpochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        // `infinity` is stored as Int64.max/min; it overflows here and is reported as unreadable, never as a date.
        guard buffer.readableBytes == 8, let raw = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.failure
        }
        let (value, overflow) = raw.addingReportingOverflow(Self.postgresEpochOffset)
        guard !overflow else { throw PostgresDecodingError.Code.failure }
        microseconds = value
    }
}
