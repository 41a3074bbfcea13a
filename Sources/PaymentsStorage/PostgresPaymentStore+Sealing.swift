import Foundation
import PaymentsCore
import PaymentsSupport
import PostgresNIO

extension PostgresPaymentStore {
    /// Seals the clear recipient values of rows written before sealing existed, and replaces their unkeyed request
    /// fingerprints with keyed ones, in batches (each its own transaction, rows locked and skipped when busy).
    func sealLegacyRecipients() async throws {
        while true {
            let sealed = try await transaction("sealLegacyRecipients", timeout: migrationTimeout) { connection in
                let rows = try await self.rows(
                    connection,
                    """
                    SELECT \(unescaped: Self.paymentColumns) FROM payments
                    WHERE recipient_key_id IS NULL
                      AND (recipient_account_number IS NOT NULL OR recipient_email IS NOT NULL
                        OR recipient_phone IS NOT NULL)
                    LIMIT 200 FOR UPDATE SKIP LOCKED
                    """)
                for row in rows {
                    let payment = try Self.decodePayment(row, ring: self.ring).payment
                    let request = PaymentRequest(
                        amount: payment.amount, clientRef: payment.clientRef, recipient: payment.recipient,
                        description: payment.description)
                    let columns = RecipientColumns(payment.recipient, paymentID: payment.id, ring: self.ring)
                    try await self.execute(
                        connection,
                        """
                        UPDATE payments SET recipient_account_number = \(columns.accountNumber),
                            recipient_email = \(columns.email), recipient_phone = \(columns.phone),
                            recipient_account_last4 = \(columns.accountLast4),
                            recipient_account_index = \(columns.accountIndex), recipient_key_id = \(columns.keyID),
                            request_fingerprint = \(self.ring.fingerprint(request))
                        WHERE id = \(payment.id)
                        """)
                }
                return rows.count
            }
            if sealed == 0 { return }
        }
    }

    public func resealBatch(limit: Int) async throws -> Int {
        // The migration deadline: a batch reads, opens, seals and writes every row it holds.
        try await transaction("resealBatch", timeout: migrationTimeout) { connection in
            let rows = try await self.rows(
                connection,
                """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE recipient_key_id IS NOT NULL AND recipient_key_id <> \(self.ring.sealingKeyID)
                LIMIT \(Int64(max(1, limit))) FOR UPDATE SKIP LOCKED
                """)
            for row in rows {
                let payment = try Self.decodePayment(row, ring: self.ring).payment
                let columns = RecipientColumns(payment.recipient, paymentID: payment.id, ring: self.ring)
                try await self.execute(
                    connection,
                    """
                    UPDATE payments SET recipient_account_number = \(columns.accountNumber),
                        recipient_email = \(columns.email), recipient_phone = \(columns.phone),
                        recipient_key_id = \(columns.keyID)
                    WHERE id = \(payment.id)
                    """)
            }
            guard rows.count < limit else { return rows.count }
            return rows.count + (try await self.resealEndpointSecrets(connection, limit: limit - rows.count))
        }
    }

    /// Webhook endpoint secrets sealed by another key than the ring's first (current or overlapping previous).
    private func resealEndpointSecrets(_ connection: PostgresConnection, limit: Int) async throws -> Int {
        let prefix = ring.sealingKeyID + ":"
        let rows = try await self.rows(
            connection,
            """
            SELECT id, secret, previous_secret FROM webhook_endpoints
            WHERE left(secret, length(\(prefix))) <> \(prefix)
               OR (previous_secret IS NOT NULL AND left(previous_secret, length(\(prefix))) <> \(prefix))
            LIMIT \(Int64(max(1, limit))) FOR UPDATE SKIP LOCKED
            """)
        for row in rows {
            let (id, secret, previous) = try row.decode((UUID, String, String?).self)
            func reseal(_ sealed: String) throws -> String {
                ring.seal(
                    try ring.open(sealed, paymentID: id, field: EndpointColumns.secretField), paymentID: id,
                    field: EndpointColumns.secretField)
            }
            try await execute(
                connection,
                """
                UPDATE webhook_endpoints SET secret = \(try reseal(secret)), previous_secret = \(try previous.map(reseal))
                WHERE id = \(id)
                """)
        }
        return rows.count
    }

    public func sealedValueCounts() async throws -> [String: Int] {
        try await statement("sealedValueCounts") { connection in
            var counts: [String: Int] = [:]
            for row in try await self.rows(
                connection,
                """
                SELECT recipient_key_id, count(*) FROM payments
                WHERE recipient_key_id IS NOT NULL
                  AND (recipient_account_number IS NOT NULL OR recipient_email IS NOT NULL OR recipient_phone IS NOT NULL)
                GROUP BY recipient_key_id
                """)
            {
                let (key, count) = try row.decode((String, Int64).self)
                counts[key] = Int(count)
            }
            // Webhook endpoint secrets (current and previous) by the key that seals them.
            for row in try await self.rows(
                connection,
                """
                SELECT split_part(value, ':', 1), count(*) FROM (
                    SELECT secret AS value FROM webhook_endpoints
                    UNION ALL SELECT previous_secret FROM webhook_endpoints WHERE previous_secret IS NOT NULL) secrets
                GROUP BY 1
                """)
            {
                let (key, count) = try row.decode((String, Int64).self)
                counts[key, default: 0] += Int(count)
            }
            return counts
        }
    }

    public func destroyAccountNumbers(settledBefore: Date, limit: Int) async throws -> Int {
        try await statement("destroyAccountNumbers") { connection in
            try await self.rows(
                connection,
                """
                UPDATE payments SET recipient_account_number = NULL, recipient_key_id = NULL
                WHERE id IN (
                    SELECT id FROM payments
                    WHERE recipient_type = 'bank_account' AND recipient_account_number IS NOT NULL
                      AND status IN ('completed', 'returned', 'failed')
                      AND updated_at < \(PostgresTimestamp(settledBefore))
                    LIMIT \(Int64(max(1, limit))) FOR UPDATE SKIP LOCKED)
                RETURNING id
                """
            ).count
        }
    }

    public func paymentsToSameAccount(as paymentID: UUID, limit: Int) async throws -> [Payment] {
        try await statement("paymentsToSameAccount") { connection in
            try await self.rows(
                connection,
                """
                SELECT \(unescaped: Self.paymentColumns) FROM payments
                WHERE recipient_account_index = (SELECT recipient_account_index FROM payments WHERE id = \(paymentID))
                  AND id <> \(paymentID)
                ORDER BY created_at DESC LIMIT \(Int64(max(1, limit)))
                """
            ).map { try Self.decodePayment($0, ring: self.ring).payment }
        }
    }
}
