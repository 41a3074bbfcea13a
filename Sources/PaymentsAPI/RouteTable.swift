import HTTPTypes

/// Every route the server answers, by template and method, with the status a success gets. Read for `405` and
/// `Allow` on a known path asked with another method (RFC 9110 §15.5.6) rather than `404`, and for the request
/// metrics' series registered at zero. Kept beside the routes it describes; tests check every route here is served.
enum RouteTable {
    /// One route: its template as Hummingbird names it (`{payment_id}` for a parameter), a method, its success.
    struct Route: Sendable {
        let template: String
        let method: HTTPRequest.Method
        let success: HTTPResponse.Status
    }

    static let routes: [Route] = [
        Route(template: "/healthz", method: .get, success: .ok),
        Route(template: "/readyz", method: .get, success: .ok),
        Route(template: "/metrics", method: .get, success: .ok),
        Route(template: "/openapi.yaml", method: .get, success: .ok),
        Route(template: "/webhook/payments", method: .post, success: .ok),
        Route(template: "/v1/payments", method: .get, success: .ok),
        Route(template: "/v1/payments", method: .post, success: .created),
        Route(template: "/v1/payments/{payment_id}", method: .get, success: .ok),
        Route(template: "/v1/webhook_endpoints", method: .get, success: .ok),
        Route(template: "/v1/webhook_endpoints", method: .post, success: .created),
        Route(template: "/v1/webhook_endpoints/{endpoint_id}", method: .get, success: .ok),
        Route(template: "/v1/webhook_endpoints/{endpoint_id}", method: .delete, success: .noContent),
        Route(template: "/v1/webhook_endpoints/{endpoint_id}/rotate_secret", method: .post, success: .ok),
        Route(template: "/v1/events", method: .get, success: .ok),
        Route(template: "/v1/events/{event_id}", method: .get, success: .ok),
        Route(template: "/v1/events/{event_id}/redeliver", method: .post, success: .accepted),
    ]

    /// The methods of `path`, or `nil` when no route has that path.
    static func allowedMethods(_ path: String) -> [HTTPRequest.Method]? {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        let methods = routes.filter { matches($0.template, segments) }.map(\.method)
        return methods.isEmpty ? nil : methods
    }

    /// Whether `segments` fill `template`, a `{parameter}` standing for any non-empty segment.
    private static func matches(_ template: String, _ segments: [Substring]) -> Bool {
        let parts = template.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == segments.count
            && zip(parts, segments).allSatisfy { part, segment in
                part.hasPrefix("{") ? !segment.isEmpty : part == segment
            }
    }
}
