import Foundation
import NIOHTTP1
import PaymentsSupport
import Synchronization

/// What the demo's webhook receiver saw: each delivery's signature verdict and, among the verified ones, the distinct
/// events (by `Payments-Event-Id`) about the run's payments, with the status each carried and when it arrived.
///
/// ``receive(_:)`` decides each answer: `204` for a valid signature, `400` for any other, `503` before the endpoint's
/// secret is known (the server retries), `404` for another path and `405` for another method.
final class DemoNotificationLog: Sendable {
    /// The first arrival of an event telling a payment's status.
    struct Receipt: Sendable, Hashable {
        /// When the delivery's last byte arrived (this machine's clock).
        let receivedAt: Date
        /// The payment's `updated_at` in the event (the server's clock).
        let updatedAt: Date?
    }

    private struct State {
        var check: DemoSignatureCheck?
        var verified = 0
        var rejected: [DemoSignatureCheck.Verdict: Int] = [:]
        var eventIDs: Set<String> = []
        var redelivered = 0
        var otherEvents = 0
        /// Payment id → status → first receipt.
        var receipts: [String: [String: Receipt]] = [:]
    }

    /// The path deliveries are expected at.
    let path: String
    private let clientRefPrefix: String
    private let state = Mutex(State())

    /// A log for deliveries posted to `path`, counting events about payments whose `client_ref` starts with
    /// `clientRefPrefix`.
    init(path: String, clientRefPrefix: String) {
        self.path = path
        self.clientRefPrefix = clientRefPrefix
    }

    /// Starts verifying with the endpoint's secret.
    func verify(with secret: String) {
        state.withLock { $0.check = DemoSignatureCheck(secret: secret) }
    }

    /// Records a delivery and returns the answer.
    func receive(_ delivery: DemoWebhookReceiver.Delivery) -> HTTPResponseStatus {
        guard delivery.path == path else { return .notFound }
        guard delivery.method == .POST else { return .methodNotAllowed }
        guard let check = state.withLock({ $0.check }) else { return .serviceUnavailable }
        let verdict = check.check(
            header: delivery.headers.first(name: "Payments-Signature"), body: delivery.body, now: delivery.receivedAt)
        guard verdict == .valid else {
            state.withLock { $0.rejected[verdict, default: 0] += 1 }
            return .badRequest
        }
        let event = try? JSONDecoder().decode(DemoEventView.self, from: Data(delivery.body))
        let eventID = delivery.headers.first(name: "Payments-Event-Id") ?? event?.id
        let payment = event?.data?.payment
        state.withLock { state in
            state.verified += 1
            guard let eventID, let payment, payment.clientRef?.hasPrefix(clientRefPrefix) == true else {
                state.otherEvents += 1
                return
            }
            guard state.eventIDs.insert(eventID.lowercased()).inserted else {
                state.redelivered += 1
                return
            }
            let receipt = Receipt(
                receivedAt: delivery.receivedAt, updatedAt: payment.updatedAt.flatMap(Timestamp.parse))
            let paymentID = payment.paymentID.lowercased()
            if state.receipts[paymentID]?[payment.status] == nil {
                state.receipts[paymentID, default: [:]][payment.status] = receipt
            }
        }
        return .noContent
    }

    /// Distinct events received about the run's payments so far.
    var eventCount: Int {
        state.withLock { $0.eventIDs.count }
    }

    /// How many of `payments` (id and status) no event has told in that status yet.
    func unnotified(_ payments: [(paymentID: String, status: String)]) -> Int {
        state.withLock { state in
            payments.count { state.receipts[$0.paymentID.lowercased()]?[$0.status] == nil }
        }
    }

    /// The counts, for the settled ones among `payments` (each as last seen by polling).
    func notifications(for payments: [DemoPaymentView], endpointURL: String) -> DemoSummary.Notifications {
        state.withLock { state in
            var summary = DemoSummary.Notifications(endpointURL: endpointURL)
            summary.received = state.eventIDs.count
            summary.redelivered = state.redelivered
            summary.otherEvents = state.otherEvents
            summary.verified = state.verified
            summary.rejectedByReason = Dictionary(
                uniqueKeysWithValues: state.rejected.map { ($0.key.description, $0.value) })
            var lags: [Duration] = []
            for payment in payments where payment.isTerminal {
                summary.settled += 1
                guard let receipt = state.receipts[payment.paymentID.lowercased()]?[payment.status] else { continue }
                summary.notified += 1
                if let updatedAt = receipt.updatedAt {
                    lags.append(.seconds(max(0, receipt.receivedAt.timeIntervalSince(updatedAt))))
                }
            }
            summary.lag = LatencyStatistics(lags)
            return summary
        }
    }
}

/// The parts of a delivered event the demo reads: `{id, type, data: {payment: {payment_id, client_ref, status,
/// updated_at}}}`.
struct DemoEventView: Decodable, Sendable {
    struct Payment: Decodable, Sendable {
        let paymentID: String
        let clientRef: String?
        let status: String
        let updatedAt: String?

        private enum CodingKeys: String, CodingKey {
            case paymentID = "payment_id"
            case clientRef = "client_ref"
            case status
            case updatedAt = "updated_at"
        }
    }

    struct Body: Decodable, Sendable {
        let payment: Payment?
    }

    let id: String?
    let type: String?
    let data: Body?
}
