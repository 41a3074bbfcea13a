import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension PaymentsDemo {
    /// An answer from the server.
    struct Response: Sendable {
        let status: Int
        let contentType: String?
        let body: Data
    }

    /// Sends one request with the API key (unless `authenticated` is false) and collects the answer. A `429` is
    /// retried after its `Retry-After` (at most 10 s, up to five times), as a client over its rate limit should.
    func send(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, idempotencyKey: String? = nil,
        authenticated: Bool = true,
        client: HTTPClient
    ) async throws -> Response {
        var request = HTTPClientRequest(url: configuration.baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "payments-demo")
        if authenticated { request.headers.add(name: "Authorization", value: "Bearer \(configuration.apiKey)") }
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        var attempt = 0
        while true {
            let response = try await client.execute(request, timeout: TimeAmount(configuration.requestTimeout))
            let collected = try await response.body.collect(upTo: 4 * 1024 * 1024)
            attempt += 1
            if response.status == .tooManyRequests, attempt <= 5 {
                let seconds = response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 1
                try await Task.sleep(for: .seconds(min(max(seconds, 1), 10)))
                continue
            }
            return Response(
                status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                body: Data(buffer: collected)
            )
        }
    }

    /// A transport failure in a few words (`connection refused`), for one line of output. Never holds a header.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "no answer within the request timeout"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .cancelled: return "cancelled"
            case .getConnectionFromPoolTimeout: return "no connection available within the request timeout"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOConnectionError {
            let errors = error.connectionErrors.map(\.error)
            if errors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return "cannot resolve host \(error.host)"
            }
            if let reason = errors.lazy.compactMap({ describe(ioError: $0) }).first { return reason }
            return errors.first.map { "\($0)" } ?? "cannot connect to \(error.host):\(error.port)"
        }
        if let reason = describe(ioError: error) { return reason }
        if error is CancellationError { return "cancelled" }
        return "\(error)"
    }

    private static func describe(ioError error: any Error) -> String? {
        guard let error = error as? IOError else { return nil }
        switch error.errnoCode {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset by the server"
        case ETIMEDOUT: return "connection timed out"
        case EHOSTUNREACH, ENETUNREACH: return "no route to the host"
        default: return error.description
        }
    }
}
