import NIOCore
import PostgresNIO

/// A `text[]` parameter whose elements may be NULL, which postgres-nio's `[String]` cannot express: the columns of a
/// batch of rows (``PostgresStatements/CreatePayments``) bound as one array per column, `unnest`ed by the server.
struct PostgresNullableTextArray: PostgresNonThrowingEncodable, Sendable {
    var elements: [String?]

    init(_ elements: [String?]) {
        self.elements = elements
    }

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    // PostgreSQL's binary array format (array_recv): dimensions, a has-NULLs flag, the element type, each dimension's
    // length and lower bound, then every element as a length (-1 for NULL) and its bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains(nil) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let written = buffer.writeString(element)
            buffer.setInteger(Int32(written), at: lengthIndex)
        }
    }
}

extension PostgresTimestamp: PostgresArrayEncodable {
    static var psqlArrayType: PostgresDataType { .timestamptzArray }
}
