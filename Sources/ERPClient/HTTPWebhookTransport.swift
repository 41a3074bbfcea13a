import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PaymentsCore
import PaymentsSupport
import Synchronization

/// The ``PaymentsCore/WebhookTransport`` over HTTP: clients of its own, following no redirect (a redirect could point
/// anywhere, past the address check), reading at most 4 KiB of an answer.
///
/// A host name is connected to at the address that was just checked, not looked up again (a second answer could be a
/// private address): each host and address pair gets a client whose `dnsOverride` pins it, while TLS still verifies
/// the certificate for the host name. The most recently used ``maximumPinnedClients`` are kept.
public final class HTTPWebhookTransport: WebhookTransport {
    private let sharedClient: HTTPClient
    private let pinned = Mutex<[(key: String, client: HTTPClient)]>([])

    /// How many pinned clients (host and address pairs) are kept with their connections.
    public static let maximumPinnedClients = 64

    /// Creates a transport; call ``shutdown()`` when done.
    public init() {
        sharedClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration())
    }

    private static func configuration(pinning host: String? = nil, to address: String? = nil)
        -> HTTPClient.Configuration
    {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(30)),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.decompression = .disabled
        // The deliverer sends the `traceparent` of its own span; a traced client would add a second one, and its span
        // would record the endpoint's full URL (a client may put a token in the query).
        configuration.tracing.tracer = nil
        if let host, let address { configuration.dnsOverride = [host: address] }
        return configuration
    }

    /// Closes every connection pool.
    public func shutdown() async throws {
        let clients = pinned.withLock { pinned in
            defer { pinned.removeAll() }
            return pinned.map(\.client)
        }
        for client in clients { try? await client.shutdown() }
        try await sharedClient.shutdown()
    }

    /// The client for `url`: the shared one for an IP-literal host (nothing to look up), else one pinned to a checked
    /// address.
    private func client(for url: String, addresses: [String]) -> HTTPClient {
        // IPv4 first: one address is pinned, with no fallback between families.
        guard let host = URLComponents(string: url)?.host?.lowercased(),
            let address = addresses.first(where: { !$0.contains(":") }) ?? addresses.first,
            WebhookTargetPolicy.ipLiteral(host) == nil
        else { return sharedClient }
        let key = host + " " + address
        let (client, evicted) = pinned.withLock { pinned -> (HTTPClient, HTTPClient?) in
            if let index = pinned.firstIndex(where: { $0.key == key }) {
                let entry = pinned.remove(at: index)
                pinned.append(entry)
                return (entry.client, nil)
            }
            let client = HTTPClient(
                eventLoopGroupProvider: .singleton, configuration: Self.configuration(pinning: host, to: address))
            pinned.append((key, client))
            return (client, pinned.count > Self.maximumPinnedClients ? pinned.removeFirst().client : nil)
        }
        if let evicted {
            // Its deliveries in flight fail and are retried like any other failure.
            Task { try? await evicted.shutdown() }
        }
        return client
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
            let response = try await client(for: url, addresses: addresses).execute(
                request, timeout: TimeAmount(timeout))
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
