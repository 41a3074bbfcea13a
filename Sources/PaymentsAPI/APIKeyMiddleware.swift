import Hummingbird
import Logging
import PaymentsCore

/// Authenticates `Authorization: Bearer <key>` against the hashed API keys and puts the client in the context, for
/// every path under `pathPrefix` (known or not).
public struct APIKeyMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext
    private let registry: APIKeyRegistry
    private let pathPrefix: String

    /// Creates the middleware.
    public init(registry: APIKeyRegistry, pathPrefix: String) {
        self.registry = registry
        self.pathPrefix = pathPrefix
    }

    public func handle(
        _ request: Request, context: APIRequestContext, next: (Request, APIRequestContext) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path == pathPrefix || path.hasPrefix(pathPrefix + "/") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer ",
            let client = registry.client(forKey: String(header.dropFirst(7)))
        else {
            context.logger.notice(
                "Client API request refused: missing or unknown API key",
                metadata: ["reason": request.headers[.authorization] == nil ? "missing" : "unknown key"]
            )
            throw Problem.unauthorized
        }
        var context = context
        context.client = client
        context.logger[metadataKey: "client_id"] = "\(client.id)"
        return try await next(request, context)
    }
}
