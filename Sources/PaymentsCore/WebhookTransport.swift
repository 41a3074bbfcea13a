/// The port through which events are posted to client endpoints.
public protocol WebhookTransport: Sendable {
    /// Posts `body` to `url` with `headers`, within `timeout`, following no redirect, to one of `addresses` (the
    /// host's addresses as checked just before, so that the check and the connection see the same ones).
    func post(url: String, addresses: [String], headers: [(String, String)], body: [UInt8], timeout: Duration) async
        -> WebhookPostResult
}

/// What posting came to.
public enum WebhookPostResult: Sendable, Hashable {
    /// The endpoint answered with this HTTP status.
    case answered(statusCode: Int)
    /// No answer: refused, reset, timed out, TLS failed. The reason names no secret and no URL.
    case failed(reason: String)
}
