import CoreMetrics
import Hummingbird
import Logging
import PaymentsCore
import PaymentsOrchestrator

/// Assembles the router: problem rendering on every route, API-key authentication on `/v1`, the webhook with its
/// signature, and the operational endpoints.
public enum APIRouter {
    /// Builds the router.
    public static func build<Store: PaymentStore>(
        orchestrator: PaymentOrchestrator<Store>, apiKeys: APIKeyRegistry, webhookSignature: WebhookSignature,
        limits: PaymentLimits = .default, metrics: any MetricsFactory = MetricsSystem.factory,
        metricsEndpoint: MetricsEndpoint? = nil, bank: String = "remote"
    ) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        // A server span per request, continuing the caller's `traceparent`; no query string is recorded (it may
        // hold a client_ref).
        router.add(middleware: RequestTracingMiddleware(redactingQueryParameters: ["client_ref", "cursor"]))
        router.add(middleware: ProblemMiddleware())
        OperationsController(store: orchestrator.store, metricsEndpoint: metricsEndpoint, bank: bank).addRoutes(
            to: router)
        WebhookController(orchestrator: orchestrator, signature: webhookSignature, metrics: metrics).addRoutes(
            to: router)
        let v1 = router.group("v1").add(middleware: APIKeyMiddleware(registry: apiKeys))
        PaymentController(orchestrator: orchestrator, limits: limits).addRoutes(to: v1)
        return router
    }
}
