import Foundation
import PaymentsCore

/// How a webhook endpoint's fields are stored, the same in both databases.
enum EndpointColumns {
    /// The field name bound into a sealed secret with the endpoint's id, so a secret cannot be moved to another row.
    static let secretField = "webhook_secret"

    /// The columns both stores decode an endpoint from, in their order.
    static let select = "id, client_id, url, events, description, status, created_at, previous_secret_expires_at"

    /// Event types as stored: comma-separated, `nil` for every type.
    static func events(_ types: [ClientEventType]?) -> String? {
        types.map { $0.map(\.rawValue).joined(separator: ",") }
    }

    /// Event types read back; an unknown name (from a newer version) is skipped.
    static func events(_ text: String?) -> [ClientEventType]? {
        text.map { $0.split(separator: ",").compactMap { ClientEventType(rawValue: String($0)) } }
    }

    /// The secrets that sign now: the current one, and the one before a rotation while its overlap lasts.
    static func secrets(
        current: String, previous: String?, previousExpiresAt: Date?, endpointID: UUID, now: Date, ring: DataKeyRing
    ) throws -> [String] {
        do {
            var secrets = [try ring.open(current, paymentID: endpointID, field: secretField)]
            if let previous, let previousExpiresAt, previousExpiresAt > now {
                secrets.append(try ring.open(previous, paymentID: endpointID, field: secretField))
            }
            return secrets
        } catch {
            throw StoreError(
                .corrupt, debugDescription: "webhook endpoint \(endpointID.lowercased) secret unreadable: \(error)")
        }
    }
}
