import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PaymentsCore
import PaymentsOrchestrator
import PaymentsSupport

/// `POST /webhook/payments`: verifies the bank's signature over the raw body, records the event durably, and
/// acknowledges. Follow-up work is queued for the workers; the response never waits for it.
///
/// Metrics: `payment_webhook_latency_seconds` (receipt to acknowledgement), `payment_webhook_delivery_lag_seconds`
/// (the event's `occurred_at` to our receipt, for every verified, well-formed webhook, repeats included; 0 when the
/// bank's clock is ahead of ours) and `webhook_rejected_total{reason}`.
public struct WebhookController<Store: PaymentStore>: Sendable {
    let orchestrator: PaymentOrchestrator<Store>
    let signature: WebhookSignature
    let now: @Sendable () -> Date
    let metrics: any MetricsFactory
    let latency: Recorder
    let deliveryLag: Recorder

    /// Creates the controller.
    public init(
        orchestrator: PaymentOrchestrator<Store>, signature: WebhookSignature,
        metrics: any MetricsFactory = MetricsSystem.factory,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.orchestrator = orchestrator
        self.signature = signature
        self.metrics = metrics
        self.latency = Recorder(label: "payment_webhook_latency_seconds", aggregate: true, factory: metrics)
        self.deliveryLag = Recorder(label: "payment_webhook_delivery_lag_seconds", aggregate: true, factory: metrics)
        self.now = now
        // Every reason at zero, so the rejection panels and the signature alert read 0 before the first one.
        for reason in WebhookSignature.Failure.allCases.map({ "signature_\($0.rawValue)" }) + ["malformed_body"] {
            _ = Counter(label: "webhook_rejected_total", dimensions: [("reason", reason)], factory: metrics)
        }
    }

    private func rejected(_ reason: String) {
        Counter(label: "webhook_rejected_total", dimensions: [("reason", reason)], factory: metrics).increment()
    }

    /// `200 {"ok": true}`, the same bytes for every acknowledgement.
    private static func acknowledgement() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(staticString: #"{"ok":true}"#))
        )
    }

    /// Adds the route.
    public func addRoutes(to router: Router<APIRequestContext>) {
        router.post("webhook/payments", use: receive)
    }

    @Sendable func receive(_ request: Request, context: APIRequestContext) async throws -> Response {
        let received = ContinuousClock.now
        let receivedAt = now()
        let buffer = try await RequestJSON.collectBody(request, context: context)
        let body = Array(buffer: buffer)
        do {
            try signature.verify(header: request.headers[.bankSignature], body: body, now: receivedAt)
        } catch {
            context.logger.warning("Webhook refused: bad signature", metadata: ["reason": "\(error.rawValue)"])
            rejected("signature_\(error.rawValue)")
            throw Problem(
                status: .unauthorized, slug: "invalid-signature", title: "Unauthorized", detail: error.description)
        }
        let event: WebhookEvent
        do {
            let json = try JSONValue(parsing: body)
            switch WebhookEvent.parse(json) {
            case .success(let parsed):
                event = parsed
                // Verified and well-formed: counted before the event is stored, so one that meets a database outage
                // (and is redelivered) counts too.
                deliveryLag.record(max(0, receivedAt.timeIntervalSince(parsed.occurredAt)))
            case .failure(let error):
                context.logger.warning(
                    "Webhook refused: malformed body",
                    metadata: ["fields": .array(error.errors.map { .string($0.pointer) })]
                )
                rejected("malformed_body")
                throw Problem(
                    status: .badRequest, slug: "malformed-webhook", title: "Malformed webhook",
                    detail: "The event body is not valid.",
                    errors: error.errors.map { ProblemFieldError(pointer: $0.pointer, detail: $0.detail) }
                )
            }
        } catch is JSONValue.ParseError {
            context.logger.warning("Webhook refused: body is not JSON")
            rejected("malformed_body")
            throw Problem(
                status: .badRequest, slug: "malformed-webhook", title: "Malformed webhook",
                detail: "The body is not valid JSON.")
        }
        switch try await orchestrator.receive(event) {
        case .recorded(let outcome):
            RequestSpan.annotate(context, paymentID: event.paymentID, clientRef: outcome.payment.clientRef)
        case .duplicate, .unknownPayment: RequestSpan.annotate(context, paymentID: event.paymentID, clientRef: nil)
        }
        let response = Self.acknowledgement()
        let elapsed = ContinuousClock.now - received
        latency.record(elapsed.timeInterval)
        return response
    }
}
