import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PaymentsCore
import PaymentsSupport

/// The ``PaymentsCore/ERPGateway`` over HTTP: posts a settled payment as JSON to the ERP's URL
/// (`ERP_WEBHOOK_URL`), which must answer 2xx.
public struct HTTPERPGateway: ERPGateway {
    private let url: String
    private let httpClient: HTTPClient
    private let timeout: Duration

    /// Creates a gateway posting to `url` on a shared `HTTPClient` (whose lifetime the caller owns).
    public init(url: String, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.url = url
        self.httpClient = httpClient
        self.timeout = timeout
    }

    public func notify(_ payment: Payment) async -> ERPNotificationResult {
        let body = JSONValue.object(omittingNil: [
            "payment_id": .string(payment.id.lowercased), "client_ref": .string(payment.clientRef),
            "status": .string(payment.status.rawValue), "amount": .integer(payment.amount.minorUnits),
            "currency": .string(payment.amount.currency.code), "bank_ref": payment.bankRef.map(JSONValue.string),
            "return_code": payment.returnCode.map(JSONValue.string),
            "failure_reason": payment.failureReason.map(JSONValue.string),
            "updated_at": .string(Timestamp.format(payment.updatedAt)),
        ])
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: "\(payment.id.lowercased):\(payment.status.rawValue)")
        // A traced HTTP client sends its own span's `traceparent` (in the payment's trace); a second header would
        // not parse at the ERP.
        if httpClient.tracer == nil, let traceParent = payment.traceParent {
            request.headers.add(name: "traceparent", value: traceParent)
        }
        do {
            request.body = .bytes(ByteBuffer(bytes: body.serialized))
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
