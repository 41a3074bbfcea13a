import Foundation

/// A page request over one client's payments, newest first.
public struct PaymentQuery: Sendable, Hashable {
    /// Whose payments.
    public var clientID: String
    /// Only this `client_ref`.
    public var clientRef: String?
    /// Only this status.
    public var status: PaymentStatus?
    /// Page size, 1...100.
    public var limit: Int
    /// Where the previous page ended.
    public var after: PaymentCursor?

    /// Creates a query.
    public init(
        clientID: String, clientRef: String? = nil, status: PaymentStatus? = nil, limit: Int = 20,
        after: PaymentCursor? = nil
    ) {
        self.clientID = clientID
        self.clientRef = clientRef
        self.status = status
        self.limit = limit
        self.after = after
    }
}

/// One page of payments and where the next begins.
public struct PaymentPage: Sendable, Hashable {
    /// The payments, newest first.
    public var payments: [Payment]
    /// Present when more payments follow.
    public var next: PaymentCursor?

    /// Creates a page.
    public init(payments: [Payment], next: PaymentCursor?) {
        self.payments = payments
        self.next = next
    }
}

/// A keyset cursor: the creation time and id of the last payment seen. Opaque to clients (base64url).
public struct PaymentCursor: Sendable, Hashable {
    /// Creation time of the last payment on the page, in microseconds since 1970.
    public var createdAtMicros: Int64
    /// Its id, to break ties.
    public var id: UUID

    /// Creates a cursor.
    public init(createdAtMicros: Int64, id: UUID) {
        self.createdAtMicros = createdAtMicros
        self.id = id
    }

    /// The opaque token given to clients.
    public var token: String {
        Data("\(createdAtMicros):\(id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token; `nil` when it was not made by ``token``.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count <= 128, let data = Data(base64Encoded: base64),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            return nil
        }
        self.init(createdAtMicros: micros, id: id)
    }
}
