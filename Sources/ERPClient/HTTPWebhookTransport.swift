import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import PaymentsCore
import PaymentsSupport

/// The ``PaymentsCore/WebhookTransport`` over HTTP: its own client, following no redirect (a redirect could point
/// anywhere, past the address check), reading at most 4 KiB of an answer.
public final class HTTPWebhookTransport: WebhookTransport {
    private let httpClient: HTTPClient

    /// Creates a transport with its own connection pool; call ``shutdown()`` when done.
    public init() {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.decompression = .disabled
        // The deliverer sends the `traceparent` of its own span; a traced client would add a second one, and its span
        // would record the endpoint's full URL (a client may put a token in the query).
        configuration.tracing.tracer = nil
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connection pool.
    public func shutdown() async throws {
        try await httpClient.shutdown()
    }

    public func post(
        url: String, addresses: [String], headers: [(String, String)], body: [UInt8], timeout: Duration
    ) async -> WebhookPostResult {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: "payments-webhooks/1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            _ = try? await response.body.collect(upTo: 4096)
            return .answered(statusCode: Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed(reason: "timed out after \(timeout)")
        } catch let error as HTTPClientError where error == .connectTimeout {
            return .failed(reason: "connection timed out")
        } catch {
            return .failed(reason: "no answer: \(Self.kind(of: error))")
        }
    }

    /// A description of a transport error that names no URL or value.
    private static func kind(of error: any Error) -> String {
        if let clientError = error as? HTTPClientError { return clientError.shortDescription }
        // NIO's connection errors say "connection refused", "connection reset" and the like, with no URL.
        return String(describing: type(of: error))
    }
}
