import Logging
import Hummingbird
import PaymentsCore

/// The request context of the client API and webhook routes: Hummingbird's core storage plus the authenticated client.
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client whose API key authenticated the request, once ``APIKeyMiddleware`` ran.
    public var client: APIClient?

    /// Creates a context for a new request.
    public init(source: Source) {
        coreContext = .init(source: source)
        client = nil
    }

    /// Payment requests and webhooks are small; anything larger is refused before it is read whole.
    public var maxUploadSize: Int { APILimits.maxBodyBytes }
}

/// Sizes the HTTP edge accepts.
public enum APILimits {
    /// Largest request body, in bytes.
    public static let maxBodyBytes = 64 * 1024
}
