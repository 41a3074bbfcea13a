import Hummingbird
import Logging
import PaymentsCore
import Tracing

/// The request context of the client API and webhook routes: Hummingbird's core storage plus the authenticated client.
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client whose API key authenticated the request, once ``APIKeyMiddleware`` ran.
    public var client: APIClient?
    /// The request's server span, once ``RequestTracingMiddleware`` started it: handlers add the payment's ids to it.
    public var requestSpan: (any Span)?

    /// Creates a context for a new request.
    public init(source: Source) {
        coreContext = .init(source: source)
        client = nil
        requestSpan = nil
    }

    /// Payment requests and webhooks are small; anything larger is refused before it is read whole.
    public var maxUploadSize: Int { APILimits.maxBodyBytes }
}

/// Sizes the HTTP edge accepts.
public enum APILimits {
    /// Largest request body, in bytes.
    public static let maxBodyBytes = 64 * 1024
}
