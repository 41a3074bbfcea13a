import Foundation
import PaymentsCore
import PaymentsSupport

extension SQLitePaymentStore {
    /// Seals the clear recipient values of rows written before sealing existed, and replaces their unkeyed request
    /// fingerprints with keyed ones, in batches.
    func sealLegacyRecipients() async throws {
        let ring = ring
        while true {
            let sealed = try await database.write { db -> Int in
                let rows = try db.query(
                    """
                    SELECT \(Self.paymentColumns) FROM payments
                    WHERE recipient_key_id IS NULL
                      AND (recipient_account_number IS NOT NULL OR recipient_email IS NOT NULL OR recipient_phone IS NOT NULL)
                    LIMIT 200
                    """)
                for row in rows {
                    let (payment, _) = try Self.decodePayment(row, ring: ring)
                    let request = PaymentRequest(
                        amount: payment.amount, clientRef: payment.clientRef, recipient: payment.recipient,
                        description: payment.description)
                    let columns = RecipientColumns(payment.recipient, paymentID: payment.id, ring: ring)
                    try db.query(
                        """
                        UPDATE payments SET recipient_account_number = ?, recipient_email = ?, recipient_phone = ?,
                            recipient_account_last4 = ?, recipient_account_index = ?, recipient_key_id = ?,
                            request_fingerprint = ?
                        WHERE id = ?
                        """,
                        [
                            .optional(columns.accountNumber), .optional(columns.email), .optional(columns.phone),
                            .optional(columns.accountLast4), .optional(columns.accountIndex), .optional(columns.keyID),
                            .text(ring.fingerprint(request)), .text(payment.id.lowercased),
                        ])
                }
                return rows.count
            }
            if sealed == 0 { return }
        }
    }

    public func resealBatch(limit: Int) async throws -> Int {
        let ring = ring
        return try await database.write { db in
            let rows = try db.query(
                """
                SELECT \(Self.paymentColumns) FROM payments
                WHERE recipient_key_id IS NOT NULL AND recipient_key_id <> ?
                LIMIT ?
                """, [.text(ring.sealingKeyID), .int(max(1, limit))])
            for row in rows {
                let (payment, _) = try Self.decodePayment(row, ring: ring)
                let old = Self.recipientColumns(row)
                var columns = RecipientColumns(payment.recipient, paymentID: payment.id, ring: ring)
                if old.type == "bank_account", old.accountNumber == nil {
                    // Retention destroyed the number: nothing to re-seal, and nothing to bring back.
                    columns.accountNumber = nil
                }
                try db.query(
                    """
                    UPDATE payments SET recipient_account_number = ?, recipient_email = ?, recipient_phone = ?,
                        recipient_key_id = ?
                    WHERE id = ? AND recipient_key_id = ?
                    """,
                    [
                        .optional(columns.accountNumber), .optional(columns.email), .optional(columns.phone),
                        .optional(columns.keyID), .text(payment.id.lowercased), .optional(old.keyID),
                    ])
            }
            guard rows.count < limit else { return rows.count }
            return rows.count + (try Self.resealEndpointSecrets(db, limit: limit - rows.count, ring: ring))
        }
    }

    /// Webhook endpoint secrets sealed by another key than the ring's first (current or overlapping previous).
    private static func resealEndpointSecrets(_ db: SQLiteConnection, limit: Int, ring: DataKeyRing) throws -> Int {
        let prefix = SQLiteValue.text(ring.sealingKeyID + ":")
        let rows = try db.query(
            """
            SELECT id, secret, previous_secret FROM webhook_endpoints
            WHERE substr(secret, 1, length(?)) <> ?
               OR (previous_secret IS NOT NULL AND substr(previous_secret, 1, length(?)) <> ?)
            LIMIT ?
            """, [prefix, prefix, prefix, prefix, .int(max(1, limit))])
        for row in rows {
            guard let id = UUID(uuidString: row.text(0)) else { continue }
            func reseal(_ sealed: String) throws -> String {
                ring.seal(
                    try ring.open(sealed, paymentID: id, field: EndpointColumns.secretField), paymentID: id,
                    field: EndpointColumns.secretField)
            }
            try db.query(
                "UPDATE webhook_endpoints SET secret = ?, previous_secret = ? WHERE id = ?",
                [.text(try reseal(row.text(1))), .optional(try row.optionalText(2).map(reseal)), .text(row.text(0))])
        }
        return rows.count
    }

    public func sealedValueCounts() async throws -> [String: Int] {
        try await database.read { db in
            Dictionary(
                uniqueKeysWithValues: try db.query(
                    """
                    SELECT recipient_key_id, COUNT(*) FROM payments
                    WHERE recipient_key_id IS NOT NULL
                      AND (recipient_account_number IS NOT NULL OR recipient_email IS NOT NULL OR recipient_phone IS NOT NULL)
                    GROUP BY recipient_key_id
                    """
                ).map { ($0.text(0), Int($0.int(1))) }
            ).merging(try Self.endpointSecretCounts(db), uniquingKeysWith: +)
        }
    }

    /// Webhook endpoint secrets (current and previous) by the key that seals them.
    private static func endpointSecretCounts(_ db: SQLiteConnection) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try db.query(
            """
            SELECT substr(value, 1, instr(value, ':') - 1), COUNT(*) FROM (
                SELECT secret AS value FROM webhook_endpoints
                UNION ALL SELECT previous_secret FROM webhook_endpoints WHERE previous_secret IS NOT NULL)
            GROUP BY 1
            """)
        {
            counts[row.text(0), default: 0] += Int(row.int(1))
        }
        return counts
    }

    public func destroyAccountNumbers(settledBefore: Date, limit: Int) async throws -> Int {
        try await database.write { db in
            try db.query(
                """
                UPDATE payments SET recipient_account_number = NULL, recipient_key_id = NULL
                WHERE id IN (
                    SELECT id FROM payments
                    WHERE recipient_type = 'bank_account' AND recipient_account_number IS NOT NULL
                      AND status IN ('completed', 'returned', 'failed') AND updated_at < ?
                    LIMIT ?)
                """, [.integer(settledBefore.microseconds), .int(max(1, limit))])
            return db.changes
        }
    }

    public func paymentsToSameAccount(as paymentID: UUID, limit: Int) async throws -> [Payment] {
        let ring = ring
        return try await database.read { db in
            try db.query(
                """
                SELECT \(Self.paymentColumns) FROM payments
                WHERE recipient_account_index = (SELECT recipient_account_index FROM payments WHERE id = ?)
                  AND id <> ?
                ORDER BY created_at DESC LIMIT ?
                """,
                [.text(paymentID.lowercased), .text(paymentID.lowercased), .int(max(1, limit))]
            ).map { try Self.decodePayment($0, ring: ring).payment }
        }
    }
}
