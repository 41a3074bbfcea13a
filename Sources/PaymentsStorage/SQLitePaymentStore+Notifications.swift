import Foundation
import PaymentsCore
import PaymentsSupport

extension SQLitePaymentStore {
    public func createEndpoint(_ endpoint: WebhookEndpoint, secret: String, limit: Int) async throws -> Bool {
        let sealed = ring.seal(secret, paymentID: endpoint.id, field: EndpointColumns.secretField)
        return try await database.write { db in
            let count =
                try db.query(
                    "SELECT COUNT(*) FROM webhook_endpoints WHERE client_id = ?", [.text(endpoint.clientID)]
                ).first?.int(0) ?? 0
            guard count < limit else { return false }
            try db.query(
                """
                INSERT INTO webhook_endpoints (id, client_id, url, events, description, status, secret, created_at,
                    updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(endpoint.id.lowercased), .text(endpoint.clientID), .text(endpoint.url),
                    .optional(EndpointColumns.events(endpoint.events)), .optional(endpoint.description),
                    .text(endpoint.status.rawValue), .text(sealed), .integer(endpoint.createdAt.microseconds),
                    .integer(endpoint.createdAt.microseconds),
                ])
            return true
        }
    }

    public func endpoints(clientID: String) async throws -> [WebhookEndpoint] {
        try await database.read { db in
            try db.query(
                "SELECT \(EndpointColumns.select) FROM webhook_endpoints WHERE client_id = ? ORDER BY created_at, id",
                [.text(clientID)]
            ).map(Self.decodeEndpoint)
        }
    }

    public func endpoint(id: UUID, clientID: String) async throws -> WebhookEndpoint? {
        try await database.read { db in
            try db.query(
                "SELECT \(EndpointColumns.select) FROM webhook_endpoints WHERE id = ? AND client_id = ?",
                [.text(id.lowercased), .text(clientID)]
            ).first.map(Self.decodeEndpoint)
        }
    }

    public func deleteEndpoint(id: UUID, clientID: String) async throws -> Bool {
        try await database.write { db in
            try db.query(
                "DELETE FROM webhook_endpoints WHERE id = ? AND client_id = ?", [.text(id.lowercased), .text(clientID)])
            guard db.changes == 1 else { return false }
            try db.query(
                "DELETE FROM webhook_deliveries WHERE endpoint_id = ? AND state IN ('pending', 'delivering')",
                [.text(id.lowercased)])
            return true
        }
    }

    public func rotateSecret(
        id: UUID, clientID: String, secret: String, previousUntil: Date, now: Date
    ) async throws -> WebhookEndpoint? {
        let sealed = ring.seal(secret, paymentID: id, field: EndpointColumns.secretField)
        return try await database.write { db in
            try db.query(
                """
                UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?,
                    updated_at = ?
                WHERE id = ? AND client_id = ?
                """,
                [
                    .integer(previousUntil.microseconds), .text(sealed), .integer(now.microseconds),
                    .text(id.lowercased), .text(clientID),
                ])
            guard db.changes == 1 else { return nil }
            return try db.query(
                "SELECT \(EndpointColumns.select) FROM webhook_endpoints WHERE id = ?", [.text(id.lowercased)]
            ).first.map(Self.decodeEndpoint)
        }
    }

    public func events(_ query: EventQuery) async throws -> EventPage {
        let limit = max(1, min(query.limit, 100))
        let ring = ring
        return try await database.read { db in
            var parameters: [SQLiteValue] = [.text(query.clientID), .integer(query.after.sequence)]
            var typeCondition = ""
            if let type = query.type {
                typeCondition = " AND ev.type = ?"
                parameters.append(.text(type.rawValue))
            }
            parameters.append(.int(limit + 1))
            let rows = try db.query(
                """
                SELECT \(Self.eventColumns) FROM client_events ev LEFT JOIN payments p ON p.id = ev.payment_id
                WHERE ev.client_id = ? AND ev.seq > ?\(typeCondition) ORDER BY ev.seq LIMIT ?
                """, parameters)
            let events = try rows.prefix(limit).map { try Self.decodeEvent($0, ring: ring) }
            return EventPage(events: events, next: events.last?.cursor ?? query.after, hasMore: rows.count > limit)
        }
    }

    public func event(id: UUID, clientID: String) async throws -> (event: ClientEvent, attempts: [DeliveryAttempt])? {
        let ring = ring
        return try await database.read { db in
            guard
                let row = try db.query(
                    """
                    SELECT \(Self.eventColumns) FROM client_events ev LEFT JOIN payments p ON p.id = ev.payment_id
                    WHERE ev.id = ? AND ev.client_id = ?
                    """, [.text(id.lowercased), .text(clientID)]
                ).first
            else { return nil }
            let event = try Self.decodeEvent(row, ring: ring)
            let attempts = try db.query(
                """
                SELECT endpoint_id, at, status_code, latency_us, error FROM webhook_delivery_attempts
                WHERE event_seq = ? ORDER BY id
                """, [.integer(event.cursor.sequence)]
            ).compactMap { row -> DeliveryAttempt? in
                guard let endpoint = UUID(uuidString: row.text(0)) else { return nil }
                return DeliveryAttempt(
                    endpointID: endpoint, at: Date(microseconds: row.int(1)),
                    statusCode: row.optionalInt(2).map(Int.init),
                    latency: .microseconds(row.int(3)), error: row.optionalText(4))
            }
            return (event, attempts)
        }
    }

    public func redeliver(eventID: UUID, clientID: String, now: Date) async throws -> Int? {
        try await database.write { db in
            guard
                let row = try db.query(
                    "SELECT seq, type FROM client_events WHERE id = ? AND client_id = ?",
                    [.text(eventID.lowercased), .text(clientID)]
                ).first
            else { return nil }
            let seq = row.int(0)
            let nowMicros = now.microseconds
            // A delivery still waiting is brought forward; a finished one is queued again with a fresh window.
            try db.query(
                """
                UPDATE webhook_deliveries SET state = 'pending', run_at = ?, attempts = 0, created_at = ?, updated_at = ?
                WHERE event_seq = ? AND state <> 'delivering'
                  AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE status = 'enabled')
                """, [.integer(nowMicros), .integer(nowMicros), .integer(nowMicros), .integer(seq)])
            var queued = db.changes
            try db.query(
                """
                INSERT INTO webhook_deliveries (event_seq, endpoint_id, state, attempts, run_at, created_at, updated_at)
                SELECT ?, e.id, 'pending', 0, ?, ?, ? FROM webhook_endpoints e
                WHERE e.client_id = ? AND e.status = 'enabled'
                  AND (e.events IS NULL OR instr(',' || e.events || ',', ',' || ? || ',') > 0)
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = ? AND d.endpoint_id = e.id)
                """,
                [
                    .integer(seq), .integer(nowMicros), .integer(nowMicros), .integer(nowMicros), .text(clientID),
                    .text(row.text(1)), .integer(seq),
                ])
            queued += db.changes
            return queued
        }
    }

    public func claimDelivery(now: Date, lease: Duration, busy: Set<UUID>) async throws -> ClaimedDelivery? {
        let ring = ring
        let excluded = busy.map { SQLiteValue.text($0.lowercased) }
        let placeholders = Array(repeating: "?", count: excluded.count).joined(separator: ", ")
        let notBusy = excluded.isEmpty ? "" : " AND endpoint_id NOT IN (\(placeholders))"
        return try await database.write { db in
            let nowMicros = now.microseconds
            // Expired leases first, then due work, each through its partial index: the table keeps every
            // delivered row for the event retention, so a condition that needs the whole table would scan it.
            let rows = try db.query(
                """
                SELECT id FROM (
                    SELECT id FROM webhook_deliveries
                    WHERE state = 'delivering' AND lease_expires_at <= ?\(notBusy)
                    ORDER BY lease_expires_at LIMIT 1)
                UNION ALL
                SELECT id FROM (
                    SELECT id FROM webhook_deliveries WHERE state = 'pending' AND run_at <= ?\(notBusy)
                    ORDER BY run_at LIMIT 1)
                LIMIT 1
                """, [.integer(nowMicros)] + excluded + [.integer(nowMicros)] + excluded)
            guard let id = rows.first?.int(0) else { return nil }
            let token = SecureRandom.uuid()
            try db.query(
                """
                UPDATE webhook_deliveries SET state = 'delivering', attempts = attempts + 1, lease_token = ?,
                    lease_expires_at = ?, updated_at = ?
                WHERE id = ?
                """,
                [
                    .text(token.lowercased), .integer(nowMicros + lease.wholeMicroseconds), .integer(nowMicros),
                    .integer(id),
                ])
            guard
                let row = try db.query(
                    """
                    SELECT d.attempts, d.created_at, e.id, e.url, e.secret, e.previous_secret,
                        e.previous_secret_expires_at, \(Self.eventColumns)
                    FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                    JOIN client_events ev ON ev.seq = d.event_seq LEFT JOIN payments p ON p.id = ev.payment_id
                    WHERE d.id = ?
                    """, [.integer(id)]
                ).first
            else {
                // Its endpoint or event is gone: nothing to deliver.
                try db.query("DELETE FROM webhook_deliveries WHERE id = ?", [.integer(id)])
                return nil
            }
            guard let endpointID = UUID(uuidString: row.text(2)) else {
                throw StoreError(.corrupt, debugDescription: "unreadable endpoint id")
            }
            let secrets = try EndpointColumns.secrets(
                current: row.text(4), previous: row.optionalText(5),
                previousExpiresAt: row.optionalInt(6).map(Date.init(microseconds:)), endpointID: endpointID, now: now,
                ring: ring)
            return ClaimedDelivery(
                id: id, leaseToken: token, attempts: Int(row.int(0)), createdAt: Date(microseconds: row.int(1)),
                endpointID: endpointID, url: row.text(3), secrets: secrets,
                event: try Self.decodeEvent(row, at: 7, ring: ring))
        }
    }

    public func finishDelivery(
        _ delivery: ClaimedDelivery, attempt: DeliveryAttempt, next: DeliveryNext, disableIfFailingSince: Date,
        now: Date
    ) async throws -> DeliveryFinish {
        try await database.write { db in
            let nowMicros = now.microseconds
            let endpoint = SQLiteValue.text(delivery.endpointID.lowercased)
            let (state, runAt): (String, Int64) =
                switch next {
                case .delivered: ("delivered", nowMicros)
                case .retry(let at): ("pending", at.microseconds)
                case .gaveUp: ("failed", nowMicros)
                }
            try db.query(
                """
                UPDATE webhook_deliveries SET state = ?, run_at = ?, lease_token = NULL, lease_expires_at = NULL,
                    updated_at = ?
                WHERE id = ? AND state = 'delivering' AND lease_token = ?
                """,
                [
                    .text(state), .integer(runAt), .integer(nowMicros), .integer(delivery.id),
                    .text(delivery.leaseToken.lowercased),
                ])
            guard db.changes == 1 else {
                throw StoreError(.leaseLost, debugDescription: "delivery \(delivery.id) is no longer leased")
            }
            try db.query(
                """
                INSERT INTO webhook_delivery_attempts (event_seq, endpoint_id, at, status_code, latency_us, error)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    .integer(delivery.event.cursor.sequence), endpoint, .integer(attempt.at.microseconds),
                    attempt.statusCode.map { .int($0) } ?? .null, .integer(attempt.latency.wholeMicroseconds),
                    .optional(attempt.error),
                ])
            if attempt.delivered {
                try db.query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?", [endpoint])
                return DeliveryFinish(disabledEndpoint: false)
            }
            try db.query(
                "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?",
                [.integer(attempt.at.microseconds), endpoint])
            guard case .gaveUp = next else { return DeliveryFinish(disabledEndpoint: false) }
            try db.query(
                """
                UPDATE webhook_endpoints SET status = 'disabled', updated_at = ?
                WHERE id = ? AND status = 'enabled' AND failing_since <= ?
                """, [.integer(nowMicros), endpoint, .integer(disableIfFailingSince.microseconds)])
            guard db.changes == 1 else { return DeliveryFinish(disabledEndpoint: false) }
            // Nothing more goes to it; the client hears of it on its other endpoints and in the feed.
            try db.query(
                "UPDATE webhook_deliveries SET state = 'failed', updated_at = ? WHERE endpoint_id = ? AND state = 'pending'",
                [.integer(nowMicros), endpoint])
            try db.query(
                """
                INSERT INTO client_events (id, client_id, type, endpoint_id, created_at)
                SELECT ?, client_id, ?, id, ? FROM webhook_endpoints WHERE id = ?
                """,
                [
                    .text(SecureRandom.uuid().lowercased), .text(ClientEventType.endpointDisabled.rawValue),
                    .integer(nowMicros), endpoint,
                ])
            try db.query(SQLiteMigrations.queueDeliveries)
            return DeliveryFinish(disabledEndpoint: true)
        }
    }

    public func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        try await database.read { db in
            let row = try db.query(
                """
                SELECT COUNT(*), MIN(ev.created_at) FROM (\(DeliveryQueue.waiting)) d
                JOIN client_events ev ON ev.seq = d.event_seq
                """
            ).first
            let oldest = row?.optionalInt(1).map { now.timeIntervalSince(Date(microseconds: $0)) } ?? 0
            return DeliveryBacklog(pending: Int(row?.int(0) ?? 0), oldestAge: max(0, oldest))
        }
    }

    public func deleteEvents(createdBefore: Date, limit: Int) async throws -> Int {
        try await database.write { db in
            // The same oldest events each time: nothing else deletes them inside this transaction.
            let oldest = "SELECT seq FROM client_events WHERE created_at < ? ORDER BY created_at LIMIT ?"
            let parameters: [SQLiteValue] = [.integer(createdBefore.microseconds), .int(max(1, limit))]
            try db.query("DELETE FROM webhook_delivery_attempts WHERE event_seq IN (\(oldest))", parameters)
            try db.query("DELETE FROM webhook_deliveries WHERE event_seq IN (\(oldest))", parameters)
            try db.query("DELETE FROM client_events WHERE seq IN (\(oldest))", parameters)
            return db.changes
        }
    }

    // MARK: - Rows

    static func decodeEndpoint(_ row: SQLiteRow) throws -> WebhookEndpoint {
        guard let id = UUID(uuidString: row.text(0)), let status = WebhookEndpoint.Status(rawValue: row.text(5)) else {
            throw StoreError(.corrupt, debugDescription: "unreadable webhook endpoint row")
        }
        return WebhookEndpoint(
            id: id, clientID: row.text(1), url: row.text(2), events: EndpointColumns.events(row.optionalText(3)),
            description: row.optionalText(4), status: status, createdAt: Date(microseconds: row.int(6)),
            previousSecretExpiresAt: row.optionalInt(7).map(Date.init(microseconds:)))
    }

    /// The event columns (`ev`), then its payment's (`p`, NULL for an endpoint event).
    static let eventColumns =
        "ev.seq, ev.id, ev.client_id, ev.type, ev.endpoint_id, ev.status, ev.corrected_from, ev.bank_ref, "
        + "ev.return_code, ev.failure_reason, ev.created_at, " + ColumnList.qualified(paymentColumns, as: "p")

    static func decodeEvent(_ row: SQLiteRow, at offset: Int = 0, ring: DataKeyRing) throws -> ClientEvent {
        guard let id = UUID(uuidString: row.text(offset + 1)),
            let type = ClientEventType(rawValue: row.text(offset + 3))
        else { throw StoreError(.corrupt, debugDescription: "unreadable event row") }
        let createdAt = Date(microseconds: row.int(offset + 10))
        var payment: Payment?
        if row.optionalText(offset + 11) != nil, let status = row.optionalText(offset + 5).flatMap(PaymentStatus.init) {
            var snapshot = try decodePayment(SQLiteRow(values: Array(row.values[(offset + 11)...])), ring: ring).payment
            snapshot.status = status
            snapshot.bankRef = row.optionalText(offset + 7)
            snapshot.returnCode = row.optionalText(offset + 8)
            snapshot.failureReason = row.optionalText(offset + 9)
            snapshot.updatedAt = createdAt
            payment = snapshot
        }
        return ClientEvent(
            id: id, cursor: EventCursor(position: 0, sequence: row.int(offset)), clientID: row.text(offset + 2),
            type: type, createdAt: createdAt, payment: payment,
            correctedFrom: row.optionalText(offset + 6).flatMap(PaymentStatus.init),
            endpointID: row.optionalText(offset + 4).flatMap(UUID.init(uuidString:)))
    }
}
