import HTTPTypes
import Hummingbird
import Tracing

/// A server span per request, continuing the caller's `traceparent`, named after the matched route (`/v1/payments`,
/// `/webhook/payments`), with the OpenTelemetry HTTP attributes; the values of `redactingQueryParameters` are never
/// recorded (they may hold a client reference).
///
/// Hummingbird's own `TracingMiddleware` ends its span after the body is written by wrapping the body in a closure,
/// which takes every response off Hummingbird's fast path (head, body and end in one write to the channel) and costs
/// two more event-loop hops and socket writes per request. Our bodies are complete buffers, so the span ends when
/// the response is made; what is left is queueing those bytes on the socket.
///
/// The span is also put in the request context (``APIRequestContext/requestSpan``), so that handlers add the
/// payment's ids to it directly.
public struct RequestTracingMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    private let queryParametersToRedact: Set<Substring>
    // Looked up once: `InstrumentationSystem.tracer` takes a lock and casts the bootstrapped instrument on every call.
    private let tracer: any Tracer

    /// Creates the middleware with the tracer bootstrapped now (build the router after bootstrapping).
    public init(redactingQueryParameters: Set<String> = []) {
        self.queryParametersToRedact = Set(redactingQueryParameters.map { $0[...] })
        self.tracer = InstrumentationSystem.tracer
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var parent = ServiceContext.current ?? .topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = tracer.startAnySpan(
            "HTTP \(request.method.rawValue) route not found", context: parent, ofKind: .server)
        defer { span.end() }
        var context = context
        context.requestSpan = span
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
            if let query = request.uri.query, !query.isEmpty {
                attributes["url.query"] = redactedQuery(request)
            }
            attributes["user_agent.original"] = request.headers[.userAgent]
            attributes["http.request.body.size"] = request.headers[.contentLength].flatMap { Int($0) }
        }
        do {
            let response = try await ServiceContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            record(status: Int(response.status.code), bodySize: response.body.contentLength, on: span, context)
            return response
        } catch {
            record(status: (error as? any HTTPResponseError)?.status.code ?? 500, bodySize: nil, on: span, context)
            span.recordError(error)
            throw error
        }
    }

    /// Names the span after the matched route and records how the request ended; a 5xx is an error.
    private func record(status: Int, bodySize: Int?, on span: any Span, _ context: Context) {
        if let route = context.endpointPath { span.operationName = route }
        span.updateAttributes { attributes in
            attributes["http.route"] = context.endpointPath
            attributes["http.response.status_code"] = status
            attributes["http.response.body.size"] = bodySize
        }
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }

    private func redactedQuery(_ request: Request) -> String {
        guard !queryParametersToRedact.isEmpty else { return request.uri.query ?? "" }
        return request.uri.queryParameters
            .map { key, value in queryParametersToRedact.contains(key) ? "\(key)=REDACTED" : "\(key)=\(value)" }
            .joined(separator: "&")
    }
}

/// Reads trace headers (`traceparent`, `tracestate`, `baggage`) from a request's fields.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        guard let name = HTTPField.Name(key) else { return nil }
        return fields[name]
    }
}
