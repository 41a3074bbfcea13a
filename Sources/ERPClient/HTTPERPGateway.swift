import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PaymentsCore

/// Posts a settled payment to the client's ERP (`ERP_WEBHOOK_URL`).
public struct ERPNotifier: Sendable {
    /// Where to post; `nil` records the step as skipped.
    public var url: String?
    private let httpClient: HTTPClient
    private let timeout: Duration

    /// Creates a notifier.
    public init(url: String?, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.url = url
        self.httpClient = httpClient
        self.timeout = timeout
    }

    struct Body: Encodable {
        var payment_id: String
        var client_ref: String
        var status: String
        var amount: Int64
        var currency: String
        var bank_ref: String?
        var return_code: String?
        var failure_reason: String?
        var updated_at: String
    }

    /// Sends the payment's current state; the ERP must answer 2xx.
    func notify(_ payment: Payment) async -> JobDisposition {
        guard let url else { return .finish(.skipped("ERP_WEBHOOK_URL is not set"), nil) }
        let body = Body(
            payment_id: payment.id.lowercased, client_ref: payment.clientRef, status: payment.status.rawValue,
            amount: payment.amount.minorUnits, currency: payment.amount.currency.code, bank_ref: payment.bankRef,
            return_code: payment.returnCode, failure_reason: payment.failureReason,
            updated_at: Timestamp.format(payment.updatedAt)
        )
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: "\(payment.id.lowercased):\(payment.status.rawValue)")
        if let traceParent = payment.traceParent { request.headers.add(name: "traceparent", value: traceParent) }
        do {
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
            let response = try await httpClient.execute(request, timeout: .milliseconds(timeout.milliseconds))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                return .retry(error: "ERP answered HTTP \(response.status.code)", notBefore: .zero)
            }
            return .finish(.succeeded, nil)
        } catch {
            return .retry(error: "ERP unreachable", notBefore: .zero)
        }
    }
}
