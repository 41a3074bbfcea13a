import CoreMetrics
import HTTPTypes
import Hummingbird
import PaymentsSupport

/// The OpenTelemetry HTTP server metrics of every request, the webhook's included:
/// `http_server_request_duration_seconds{http_route, http_request_method, http_response_status_code}` (a histogram
/// whose exemplars link to the request's trace) and `http_server_active_requests{http_request_method}`.
///
/// Labels stay bounded whatever arrives: the route is the matched template (`/v1/payments/{payment_id}`) or
/// `NotFound` for every path no route matches; a method outside RFC 9110's and PATCH is `_OTHER`. Each route's
/// success series and every method's gauge are registered at zero, so dashboards read 0 before the first request.
///
/// Placed inside ``RequestTracingMiddleware``, so the request's span is current when the duration is recorded (the
/// exemplar), and outside ``ProblemMiddleware``, so an error is counted with the status its problem answer has.
public final class HTTPServerMetricsMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    /// The methods that keep their name as a label value.
    static let knownMethods: [HTTPRequest.Method] = [
        .get, .head, .post, .put, .delete, .connect, .options, .trace, .patch,
    ]
    static let otherMethod = "_OTHER"
    static let unmatchedRoute = "NotFound"

    private let factory: any MetricsFactory
    private let active: [String: Meter]
    private let durations = MemoTable<SeriesKey, Recorder>()

    /// Creates the middleware and registers its series at zero on `factory`.
    public init(factory: any MetricsFactory) {
        self.factory = factory
        var active: [String: Meter] = [:]
        for method in Self.knownMethods.map(\.rawValue) + [Self.otherMethod] {
            active[method] = Meter(
                label: "http_server_active_requests", dimensions: [("http_request_method", method)], factory: factory)
        }
        self.active = active
        for route in RouteTable.routes {
            _ = duration(SeriesKey(route: route.template, method: route.method.rawValue, status: route.success.code))
        }
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let method = Self.methodLabel(request.method)
        let inFlight = active[method]
        inFlight?.increment()
        defer { inFlight?.decrement() }
        let start = ContinuousClock.now
        let route = context.endpointPath ?? Self.unmatchedRoute
        do {
            let response = try await next(request, context)
            record(route: route, method: method, status: response.status.code, since: start)
            return response
        } catch {
            record(
                route: route, method: method, status: (error as? any HTTPResponseError)?.status.code ?? 500,
                since: start)
            throw error
        }
    }

    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        knownMethods.contains(method) ? method.rawValue : otherMethod
    }

    private func record(route: String, method: String, status: Int, since start: ContinuousClock.Instant) {
        let seconds = (ContinuousClock.now - start).timeInterval
        duration(SeriesKey(route: route, method: method, status: status)).record(seconds)
    }

    private func duration(_ key: SeriesKey) -> Recorder {
        durations.value(key) { key in
            Recorder(
                label: "http_server_request_duration_seconds",
                dimensions: [
                    ("http_route", key.route), ("http_request_method", key.method),
                    ("http_response_status_code", String(key.status)),
                ],
                aggregate: true, factory: factory)
        }
    }

    private struct SeriesKey: Hashable, Sendable {
        var route: String
        var method: String
        var status: Int
    }
}
