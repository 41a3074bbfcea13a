import Foundation
import PaymentsCore
import PaymentsSupport
import PostgresNIO

extension PostgresPaymentStore {
    public func createEndpoint(_ endpoint: WebhookEndpoint, secret: String, limit: Int) async throws -> Bool {
        let sealed = ring.seal(secret, paymentID: endpoint.id, field: EndpointColumns.secretField)
        let created = PostgresTimestamp(endpoint.createdAt)
        return try await transaction("createEndpoint") { connection in
            // One client's registrations one at a time, so that two at once cannot both see room for one more.
            try await self.execute(
                connection, "SELECT pg_advisory_xact_lock(hashtextextended(\(endpoint.clientID), 0))")
            let count =
                try await self.rows(
                    connection, "SELECT count(*) FROM webhook_endpoints WHERE client_id = \(endpoint.clientID)"
                ).first?.decode(Int64.self) ?? 0
            guard count < limit else { return false }
            try await self.execute(
                connection,
                """
                INSERT INTO webhook_endpoints (id, client_id, url, events, description, status, secret, created_at,
                    updated_at)
                VALUES (\(endpoint.id), \(endpoint.clientID), \(endpoint.url), \(EndpointColumns.events(endpoint.events)),
                    \(endpoint.description), \(endpoint.status.rawValue), \(sealed), \(created), \(created))
                """)
            return true
        }
    }

    public func endpoints(clientID: String) async throws -> [WebhookEndpoint] {
        try await statement("endpoints") { connection in
            try await self.rows(
                connection,
                """
                SELECT \(unescaped: EndpointColumns.select) FROM webhook_endpoints WHERE client_id = \(clientID)
                ORDER BY created_at, id
                """
            ).map(Self.decodeEndpoint)
        }
    }

    public func endpoint(id: UUID, clientID: String) async throws -> WebhookEndpoint? {
        try await statement("endpoint") { connection in
            try await self.rows(
                connection,
                """
                SELECT \(unescaped: EndpointColumns.select) FROM webhook_endpoints
                WHERE id = \(id) AND client_id = \(clientID)
                """
            ).first.map(Self.decodeEndpoint)
        }
    }

    public func deleteEndpoint(id: UUID, clientID: String) async throws -> Bool {
        try await transaction("deleteEndpoint") { connection in
            let deleted = try await self.rows(
                connection, "DELETE FROM webhook_endpoints WHERE id = \(id) AND client_id = \(clientID) RETURNING id")
            guard !deleted.isEmpty else { return false }
            try await self.execute(
                connection,
                "DELETE FROM webhook_deliveries WHERE endpoint_id = \(id) AND state IN ('pending', 'delivering')")
            return true
        }
    }

    public func rotateSecret(
        id: UUID, clientID: String, secret: String, previousUntil: Date, now: Date
    ) async throws -> WebhookEndpoint? {
        let sealed = ring.seal(secret, paymentID: id, field: EndpointColumns.secretField)
        return try await statement("rotateSecret") { connection in
            try await self.rows(
                connection,
                """
                UPDATE webhook_endpoints SET previous_secret = secret,
                    previous_secret_expires_at = \(PostgresTimestamp(previousUntil)), secret = \(sealed),
                    updated_at = \(PostgresTimestamp(now))
                WHERE id = \(id) AND client_id = \(clientID)
                RETURNING \(unescaped: EndpointColumns.select)
                """
            ).first.map(Self.decodeEndpoint)
        }
    }

    public func events(_ query: EventQuery) async throws -> EventPage {
        let limit = max(1, min(query.limit, 100))
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 5)
        sql.appendLiteral(
            """
            SELECT \(Self.eventColumns) FROM client_events ev LEFT JOIN payments p ON p.id = ev.payment_id
            WHERE ev.client_id =
            """)
        sql.appendInterpolation(query.clientID)
        sql.appendLiteral(" AND (ev.txid, ev.seq) > (")
        sql.appendInterpolation(String(query.after.position))
        sql.appendLiteral("::text::xid8, ")
        sql.appendInterpolation(query.after.sequence)
        // Only what every transaction older than this snapshot has finished writing: a later commit of an older
        // transaction would otherwise land behind a cursor already handed out.
        sql.appendLiteral(") AND ev.txid < pg_snapshot_xmin(pg_current_snapshot())")
        if let type = query.type {
            sql.appendLiteral(" AND ev.type = ")
            sql.appendInterpolation(type.rawValue)
        }
        sql.appendLiteral(" ORDER BY ev.txid, ev.seq LIMIT ")
        sql.appendInterpolation(Int64(limit + 1))
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await self.statement("events") { connection in
            let rows = try await self.rows(connection, statement)
            let events = try rows.prefix(limit).map { try Self.decodeEvent($0.makeRandomAccess(), ring: self.ring) }
            return EventPage(events: events, next: events.last?.cursor ?? query.after, hasMore: rows.count > limit)
        }
    }

    public func event(id: UUID, clientID: String) async throws -> (event: ClientEvent, attempts: [DeliveryAttempt])? {
        try await transaction("event", readOnly: true) { connection in
            guard
                let row = try await self.rows(
                    connection,
                    """
                    SELECT \(unescaped: Self.eventColumns) FROM client_events ev
                    LEFT JOIN payments p ON p.id = ev.payment_id
                    WHERE ev.id = \(id) AND ev.client_id = \(clientID)
                    """
                ).first
            else { return nil }
            let event = try Self.decodeEvent(row.makeRandomAccess(), ring: self.ring)
            let attempts = try await self.rows(
                connection,
                """
                SELECT endpoint_id, at, status_code, latency_us, error FROM webhook_delivery_attempts
                WHERE event_seq = \(event.cursor.sequence) ORDER BY id
                """
            ).map { row in
                let (endpoint, at, status, latency, error) = try row.decode(
                    (UUID, PostgresTimestamp, Int32?, Int64, String?).self)
                return DeliveryAttempt(
                    endpointID: endpoint, at: at.date, statusCode: status.map(Int.init),
                    latency: .microseconds(latency),
                    error: error)
            }
            return (event, attempts)
        }
    }

    public func redeliver(eventID: UUID, clientID: String, now: Date) async throws -> Int? {
        let at = PostgresTimestamp(now)
        return try await transaction("redeliver") { connection in
            guard
                let row = try await self.rows(
                    connection,
                    "SELECT seq, type FROM client_events WHERE id = \(eventID) AND client_id = \(clientID) FOR UPDATE"
                ).first
            else { return nil }
            let (seq, type) = try row.decode((Int64, String).self)
            // A delivery still waiting is brought forward; a finished one is queued again with a fresh window.
            let requeued = try await self.rows(
                connection,
                """
                UPDATE webhook_deliveries SET state = 'pending', run_at = \(at), attempts = 0, created_at = \(at),
                    updated_at = \(at)
                WHERE event_seq = \(seq) AND state <> 'delivering'
                  AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE status = 'enabled')
                RETURNING id
                """)
            let added = try await self.rows(
                connection,
                """
                INSERT INTO webhook_deliveries (event_seq, endpoint_id, state, attempts, run_at, created_at, updated_at)
                SELECT \(seq), e.id, 'pending', 0, \(at), \(at), \(at) FROM webhook_endpoints e
                WHERE e.client_id = \(clientID) AND e.status = 'enabled'
                  AND (e.events IS NULL OR \(type) = ANY (string_to_array(e.events, ',')))
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = \(seq) AND d.endpoint_id = e.id)
                RETURNING id
                """)
            return requeued.count + added.count
        }
    }

    public func claimDelivery(now: Date, lease: Duration, busy: Set<UUID>) async throws -> ClaimedDelivery? {
        let token = SecureRandom.uuid()
        let at = PostgresTimestamp(now)
        let expires = PostgresTimestamp(microseconds: now.microseconds + lease.wholeMicroseconds)
        let busy = Array(busy)
        // Expired leases first, then due work, each through its partial index (as the job claim does).
        let rows = try await statement("claimDelivery") { connection in
            try await self.rows(
                connection,
                """
                WITH expired AS (
                    SELECT id FROM webhook_deliveries
                    WHERE state = 'delivering' AND lease_expires_at <= \(at) AND endpoint_id <> ALL(\(busy)::uuid[])
                    ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED
                ), due AS (
                    SELECT id FROM webhook_deliveries
                    WHERE state = 'pending' AND run_at <= \(at) AND endpoint_id <> ALL(\(busy)::uuid[])
                    ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED
                ), next AS (
                    SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT 1
                ), claimed AS (
                    UPDATE webhook_deliveries d SET state = 'delivering', attempts = d.attempts + 1,
                        lease_token = \(token), lease_expires_at = \(expires), updated_at = \(at)
                    FROM next WHERE d.id = next.id
                    RETURNING d.id, d.attempts, d.created_at, d.endpoint_id, d.event_seq
                )
                SELECT claimed.id, claimed.attempts, claimed.created_at, e.id, e.url, e.secret, e.previous_secret,
                    e.previous_secret_expires_at, ev.id, \(unescaped: Self.eventColumns)
                FROM claimed LEFT JOIN webhook_endpoints e ON e.id = claimed.endpoint_id
                LEFT JOIN client_events ev ON ev.seq = claimed.event_seq LEFT JOIN payments p ON p.id = ev.payment_id
                """)
        }
        guard let row = rows.first else { return nil }
        let cells = row.makeRandomAccess()
        let id = try cells[0].decode(Int64.self)
        guard let endpointID = try cells[3].decode(UUID?.self), try cells[8].decode(UUID?.self) != nil else {
            // Its endpoint or event is gone: nothing to deliver.
            try await statement("claimDelivery") { connection in
                try await self.execute(connection, "DELETE FROM webhook_deliveries WHERE id = \(id)")
            }
            return nil
        }
        let secrets = try EndpointColumns.secrets(
            current: try cells[5].decode(String.self), previous: try cells[6].decode(String?.self),
            previousExpiresAt: try cells[7].decode(PostgresTimestamp?.self)?.date, endpointID: endpointID, now: now,
            ring: ring)
        return ClaimedDelivery(
            id: id, leaseToken: token, attempts: Int(try cells[1].decode(Int32.self)),
            createdAt: try cells[2].decode(PostgresTimestamp.self).date, endpointID: endpointID,
            url: try cells[4].decode(String.self), secrets: secrets,
            event: try Self.decodeEvent(cells, at: 9, ring: ring))
    }

    public func finishDelivery(
        _ delivery: ClaimedDelivery, attempt: DeliveryAttempt, next: DeliveryNext, disableIfFailingSince: Date,
        now: Date
    ) async throws -> DeliveryFinish {
        let at = PostgresTimestamp(now)
        let attemptAt = PostgresTimestamp(attempt.at)
        let (state, runAt): (String, PostgresTimestamp) =
            switch next {
            case .delivered: ("delivered", at)
            case .retry(let time): ("pending", PostgresTimestamp(time))
            case .gaveUp: ("failed", at)
            }
        let endpoint = delivery.endpointID
        let statusCode = attempt.statusCode.map(Int32.init)
        return try await transaction("finishDelivery") { connection in
            let finished = try await self.rows(
                connection,
                """
                WITH finished AS (
                    UPDATE webhook_deliveries SET state = \(state), run_at = \(runAt), lease_token = NULL,
                        lease_expires_at = NULL, updated_at = \(at)
                    WHERE id = \(delivery.id) AND state = 'delivering' AND lease_token = \(delivery.leaseToken)
                    RETURNING id
                ), attempt AS (
                    INSERT INTO webhook_delivery_attempts (event_seq, endpoint_id, at, status_code, latency_us, error)
                    SELECT \(delivery.event.cursor.sequence), \(endpoint), \(attemptAt), \(statusCode),
                        \(attempt.latency.wholeMicroseconds), \(attempt.error) FROM finished
                )
                SELECT id FROM finished
                """)
            guard !finished.isEmpty else {
                throw StoreError(.leaseLost, debugDescription: "delivery \(delivery.id) is no longer leased")
            }
            if attempt.delivered {
                try await self.execute(
                    connection,
                    """
                    UPDATE webhook_endpoints SET failing_since = NULL WHERE id = \(endpoint) AND failing_since IS NOT NULL
                    """)
                return DeliveryFinish(disabledEndpoint: false)
            }
            try await self.execute(
                connection,
                """
                UPDATE webhook_endpoints SET failing_since = \(attemptAt) WHERE id = \(endpoint) AND failing_since IS NULL
                """)
            guard case .gaveUp = next else { return DeliveryFinish(disabledEndpoint: false) }
            let disabled = try await self.rows(
                connection,
                """
                UPDATE webhook_endpoints SET status = 'disabled', updated_at = \(at)
                WHERE id = \(endpoint) AND status = 'enabled'
                  AND failing_since <= \(PostgresTimestamp(disableIfFailingSince))
                RETURNING client_id
                """)
            guard let clientID = try disabled.first?.decode(String.self) else {
                return DeliveryFinish(disabledEndpoint: false)
            }
            // Nothing more goes to it; the client hears of it on its other endpoints and in the feed.
            try await self.execute(
                connection,
                "UPDATE webhook_deliveries SET state = 'failed', updated_at = \(at) WHERE endpoint_id = \(endpoint) AND state = 'pending'"
            )
            let type = ClientEventType.endpointDisabled.rawValue
            try await self.execute(
                connection,
                """
                WITH event AS (
                    INSERT INTO client_events (id, client_id, type, endpoint_id, created_at)
                    VALUES (\(SecureRandom.uuid()), \(clientID), \(type), \(endpoint), \(at))
                    RETURNING seq
                )
                INSERT INTO webhook_deliveries (event_seq, endpoint_id, state, attempts, run_at, created_at, updated_at)
                SELECT event.seq, e.id, 'pending', 0, \(at), \(at), \(at) FROM event, webhook_endpoints e
                WHERE e.client_id = \(clientID) AND e.status = 'enabled'
                  AND (e.events IS NULL OR \(type) = ANY (string_to_array(e.events, ',')))
                """)
            return DeliveryFinish(disabledEndpoint: true)
        }
    }

    public func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        try await statement("deliveryBacklog") { connection in
            let row = try await self.rows(
                connection,
                """
                SELECT count(*), min(ev.created_at) FROM (\(unescaped: DeliveryQueue.waiting)) d
                JOIN client_events ev ON ev.seq = d.event_seq
                """
            ).first
            guard let row else { return DeliveryBacklog(pending: 0, oldestAge: 0) }
            let (count, oldest) = try row.decode((Int64, PostgresTimestamp?).self)
            let age = oldest.map { max(0, now.timeIntervalSince($0.date)) } ?? 0
            return DeliveryBacklog(pending: Int(count), oldestAge: age)
        }
    }

    public func deleteEvents(createdBefore: Date, limit: Int) async throws -> Int {
        // Arrays of sequence numbers, each table's rows deleted through its index: a join to the batch could be
        // planned as a sequential scan of every table, once per batch (see deleteFinishedJobs).
        try await transaction("deleteEvents") { connection in
            let deleted = try await self.rows(
                connection,
                """
                WITH old AS (
                    SELECT ARRAY(
                        SELECT seq FROM client_events WHERE created_at < \(PostgresTimestamp(createdBefore))
                        ORDER BY created_at LIMIT \(Int64(max(1, limit))) FOR UPDATE SKIP LOCKED) AS seqs
                ), attempts AS (
                    DELETE FROM webhook_delivery_attempts WHERE event_seq = ANY((SELECT seqs FROM old)::bigint[])
                ), deliveries AS (
                    DELETE FROM webhook_deliveries WHERE event_seq = ANY((SELECT seqs FROM old)::bigint[])
                )
                DELETE FROM client_events WHERE seq = ANY((SELECT seqs FROM old)::bigint[]) RETURNING seq
                """)
            return deleted.count
        }
    }

    // MARK: - Rows

    static func decodeEndpoint(_ row: PostgresRow) throws -> WebhookEndpoint {
        let (id, clientID, url, events, description, statusText, createdAt, previousExpires) = try row.decode(
            (UUID, String, String, String?, String?, String, PostgresTimestamp, PostgresTimestamp?).self)
        guard let status = WebhookEndpoint.Status(rawValue: statusText) else {
            throw StoreError(.corrupt, debugDescription: "unreadable webhook endpoint row")
        }
        return WebhookEndpoint(
            id: id, clientID: clientID, url: url, events: EndpointColumns.events(events), description: description,
            status: status, createdAt: createdAt.date, previousSecretExpiresAt: previousExpires?.date)
    }

    /// The event columns (`ev`, its transaction id first), then its payment's (`p`, NULL for an endpoint event).
    static let eventColumns =
        "ev.txid::text, ev.seq, ev.id, ev.client_id, ev.type, ev.endpoint_id, ev.status, ev.corrected_from, "
        + "ev.bank_ref, ev.return_code, ev.failure_reason, ev.created_at, " + paymentColumns(as: "p")

    static func decodeEvent(_ cells: PostgresRandomAccessRow, at offset: Int = 0, ring: DataKeyRing) throws
        -> ClientEvent
    {
        func cell(_ index: Int) -> PostgresCell { cells[offset + index] }
        guard let position = UInt64(try cell(0).decode(String.self)),
            let type = ClientEventType(rawValue: try cell(4).decode(String.self))
        else { throw StoreError(.corrupt, debugDescription: "unreadable event row") }
        let createdAt = try cell(11).decode(PostgresTimestamp.self).date
        var payment: Payment?
        if try cell(12).decode(UUID?.self) != nil,
            let status = try cell(6).decode(String?.self).flatMap(PaymentStatus.init)
        {
            var snapshot = try decodePayment(cells, at: offset + 12, ring: ring).payment
            snapshot.status = status
            snapshot.bankRef = try cell(8).decode(String?.self)
            snapshot.returnCode = try cell(9).decode(String?.self)
            snapshot.failureReason = try cell(10).decode(String?.self)
            snapshot.updatedAt = createdAt
            payment = snapshot
        }
        return ClientEvent(
            id: try cell(2).decode(UUID.self),
            cursor: EventCursor(position: position, sequence: try cell(1).decode(Int64.self)),
            clientID: try cell(3).decode(String.self), type: type, createdAt: createdAt, payment: payment,
            correctedFrom: try cell(7).decode(String?.self).flatMap(PaymentStatus.init),
            endpointID: try cell(5).decode(UUID?.self))
    }
}
