import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PaymentsCore
import PaymentsSupport

/// Caches an OAuth2 client-credentials token and refreshes it before it expires, with at most one refresh in flight
/// however many requests are waiting for it.
actor OAuth2TokenProvider {
    private let httpClient: HTTPClient
    private let tokenURL: String
    private let basicCredentials: String
    private let refreshMargin: Duration
    private let timeout: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var current: (token: String, refreshAt: ContinuousClock.Instant)?
    private var refreshing: Task<(String, ContinuousClock.Instant), any Error>?

    init(
        httpClient: HTTPClient, tokenURL: String, clientID: String, clientSecret: String, refreshMargin: Duration,
        timeout: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant
    ) {
        self.now = now
        self.httpClient = httpClient
        self.tokenURL = tokenURL
        self.basicCredentials = Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
        self.refreshMargin = refreshMargin
        self.timeout = timeout
    }

    /// A token valid for at least the refresh margin.
    func token() async throws(BankError) -> String {
        if let current, now() < current.refreshAt { return current.token }
        let task: Task<(String, ContinuousClock.Instant), any Error>
        if let refreshing {
            task = refreshing
        } else {
            task = Task { try await self.fetch() }
            refreshing = task
        }
        do {
            let (token, refreshAt) = try await task.value
            current = (token, refreshAt)
            refreshing = nil
            return token
        } catch {
            refreshing = nil
            throw (error as? BankError) ?? BankError(.connection)
        }
    }

    /// Forgets a token the bank refused, unless a newer one already replaced it.
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    private func fetch() async throws -> (String, ContinuousClock.Instant) {
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic \(basicCredentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials"))
        let started = now()
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
        } catch {
            throw BankHTTPErrors.classify(error)
        }
        let body = try? await response.body.collect(upTo: 64 * 1024)
        switch response.status.code {
        case 200:
            break
        case 400, 401, 403:
            throw BankError(.unauthorized, httpStatus: Int(response.status.code))
        case 429:
            throw BankError(.rateLimited, httpStatus: 429)
        default:
            throw BankError(.server, httpStatus: Int(response.status.code))
        }
        guard let body, let decoded = try? JSONValue(parsing: body.readableBytesView),
            let accessToken = decoded["access_token"]?.stringValue, !accessToken.isEmpty
        else { throw BankError(.invalidResponse, httpStatus: 200) }
        let lifetime = Duration.seconds(max(decoded["expires_in"]?.integerValue ?? 300, 1))
        // Refresh at the margin before expiry, but not before half way through a short-lived token's life.
        let refreshAfter = max(min(lifetime - refreshMargin, lifetime), lifetime / 2)
        return (accessToken, started + refreshAfter)
    }
}
