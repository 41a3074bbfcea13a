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
        metricsEndpoint: MetricsEndpoint? = nil, bank: String = "remote", rateLimits: ClientRateLimits = .default,
        notifications: ClientWebhookConfiguration = .init()
    ) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        // A server span per request, continuing the caller's `traceparent`; no query string is recorded (it may
        // hold a client_ref).
        router.add(middleware: RequestTracingMiddleware(redactingQueryParameters: ["client_ref", "cursor"]))
        // Request rate, errors and latency by route, recorded inside the span (exemplars) and outside problem rendering.
        router.add(middleware: HTTPServerMetricsMiddleware(factory: metrics))
        router.add(middleware: ProblemMiddleware())
        OperationsController(store: orchestrator.store, metricsEndpoint: metricsEndpoint, bank: bank).addRoutes(
            to: router)
        WebhookController(orchestrator: orchestrator, signature: webhookSignature, metrics: metrics).addRoutes(
            to: router)
        // At the router, not on the group: an unknown /v1 path is 401 to a caller without a key, not 404.
        router.add(middleware: APIKeyMiddleware(registry: apiKeys, pathPrefix: "/v1"))
        let v1 = router.group("v1").add(
            middleware: RateLimitMiddleware(limits: rateLimits, metrics: metrics, clients: apiKeys.clientIDs))
        PaymentController(orchestrator: orchestrator, limits: limits).addRoutes(to: v1)
        WebhookEndpointController(store: orchestrator.store, configuration: notifications).addRoutes(to: v1)
        EventController(store: orchestrator.store).addRoutes(to: v1)
        return router
    }
}
