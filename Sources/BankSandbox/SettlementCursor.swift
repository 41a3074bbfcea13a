import Foundation
import PaymentsSupport

/// A position in the settlement report: the `updated_at` (in whole milliseconds, as the report lists it) and the
/// payment id of the last entry on a page. Written `<milliseconds>_<payment_id>`; a page starts after it.
struct SettlementCursor: Sendable, Comparable {
    let milliseconds: Int64
    let paymentID: String

    init(updatedAt: Date, paymentID: String) {
        self.milliseconds = Int64((updatedAt.timeIntervalSince1970 * 1000).rounded(.down))
        self.paymentID = paymentID
    }

    /// Reads a cursor this sandbox wrote; `nil` for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let milliseconds = Int64(parts[0]), milliseconds >= 0, !parts[1].isEmpty,
            parts[1].utf8.count <= 64
        else { return nil }
        self.milliseconds = milliseconds
        self.paymentID = String(parts[1])
    }

    var text: String { "\(milliseconds)_\(paymentID)" }

    static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.milliseconds, lhs.paymentID) < (rhs.milliseconds, rhs.paymentID)
    }
}

/// One page of the settlement report.
struct SettlementReport: Sendable {
    let entries: [(paymentID: String, view: PaymentStatusView)]
    /// `nil` on the last page.
    let nextCursor: SettlementCursor?

    /// The page as the bank answers it: `{"data": [...], "next_cursor": ...}`.
    var json: JSONValue {
        .object([
            "data": .array(entries.map { $0.view.reportJSON(paymentID: $0.paymentID) }),
            "next_cursor": nextCursor.map { .string($0.text) } ?? .null,
        ])
    }
}
