import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PaymentsCore
import PaymentsSupport

/// The ``PaymentsCore/ERPGateway`` over HTTP: posts a settled payment to the deployment's ERP (`ERP_WEBHOOK_URL`),
/// which must answer 2xx, in the format and with the signature of client webhook deliveries: the event document
/// (`{id, type, created_at, client_id, data: {payment}}`), `Payments-Event-Id` and `Payments-Signature` with the
/// deployment's secret (`ERP_WEBHOOK_SECRET`).
public struct HTTPERPGateway: ERPGateway {
    private let url: String
    private let secret: String?
    private let httpClient: HTTPClient
    private let timeout: Duration

    /// Creates a gateway posting to `url` on a shared `HTTPClient` (whose lifetime the caller owns), signing with
    /// `secret` when there is one.
    public init(url: String, secret: String?, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func notify(_ payment: Payment, id: UUID) async -> ERPNotificationResult {
        let event = ClientEvent(
            id: id, cursor: .start, clientID: payment.clientID, type: ClientEventType(status: payment.status),
            createdAt: payment.updatedAt, payment: payment)
        let body = ClientEventDocument.body(event)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Payments-Event-Id", value: id.lowercased)
        if let secret {
            request.headers.add(
                name: ClientWebhookSignature.headerName,
                value: ClientWebhookSignature.header(
                    secrets: [secret], timestamp: Int64(Date().timeIntervalSince1970), body: body))
        }
        // A traced HTTP client sends its own span's `traceparent` (in the payment's trace); a second header would
        // not parse at the ERP.
        if httpClient.tracer == nil, let traceParent = payment.traceParent {
            request.headers.add(name: "traceparent", value: traceParent)
        }
        do {
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else {
                return .failed(reason: "ERP answered HTTP \(response.status.code)")
            }
            return .delivered
        } catch {
            return .failed(reason: "ERP unreachable")
        }
    }
}
