import HTTPTypes

/// Which methods each route answers, so that a known path asked with another method gets `405` and `Allow` (RFC 9110
/// §15.5.6) rather than `404`. Kept beside the routes it describes; a test checks every route here is served.
enum RouteTable {
    /// The methods of `path`, or `nil` when no route has that path.
    static func allowedMethods(_ path: String) -> [HTTPRequest.Method]? {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        switch trimmed {
        case "/healthz", "/readyz", "/metrics", "/openapi.yaml": return [.get]
        case "/webhook/payments": return [.post]
        case "/v1/payments", "/v1/webhook_endpoints": return [.get, .post]
        case "/v1/events": return [.get]
        default:
            let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 4, parts[1] == "v1", !parts[3].isEmpty else { return nil }
            switch (parts.count, parts[2], parts.count == 5 ? parts[4] : "") {
            case (4, "payments", _), (4, "events", _): return [.get]
            case (4, "webhook_endpoints", _): return [.get, .delete]
            case (5, "webhook_endpoints", "rotate_secret"), (5, "events", "redeliver"): return [.post]
            default: return nil
            }
        }
    }
}
