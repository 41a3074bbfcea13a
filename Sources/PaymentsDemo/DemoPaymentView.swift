import Foundation
import PaymentsCore
import PaymentsSupport

/// The parts of the API's payment resource that a demo run reads: id, status, and when it was created and settled.
struct DemoPaymentView: Decodable, Sendable {
    struct HistoryEntry: Decodable, Sendable {
        let status: String
        let at: String
        let applied: Bool?
    }

    let paymentID: String
    let clientRef: String?
    let status: String
    let createdAt: String?
    let updatedAt: String?
    let history: [HistoryEntry]?

    private enum CodingKeys: String, CodingKey {
        case paymentID = "payment_id"
        case clientRef = "client_ref"
        case status
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case history
    }

    /// Statuses after which a payment no longer moves on its own (a completed payment may still be returned later,
    /// which the demo does not wait for).
    static let terminalStatuses: Set<String> = ["completed", "returned", "failed"]

    var isTerminal: Bool { Self.terminalStatuses.contains(status) }

    /// Creation to the first terminal status the server recorded (its own clock at both ends), falling back to
    /// `updated_at`; `nil` when the timestamps are missing or do not parse.
    var timeToTerminal: Duration? {
        guard let created = createdAt.flatMap(Timestamp.parse) else { return nil }
        let settled =
            history?.first { Self.terminalStatuses.contains($0.status) && $0.applied != false }
            .flatMap { Timestamp.parse($0.at) }
            ?? updatedAt.flatMap(Timestamp.parse)
        guard let settled else { return nil }
        return .seconds(max(0, settled.timeIntervalSince(created)))
    }
}
