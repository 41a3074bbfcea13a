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
        case "/v1/payments": return [.get, .post]
        default:
            let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 4, parts[1] == "v1", parts[2] == "payments", !parts[3].isEmpty { return [.get] }
            return nil
        }
    }
}
