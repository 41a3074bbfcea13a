import Crypto
import Foundation
import PaymentsSupport

/// An API client and the SHA-256 of its key. The key itself is never kept after start-up.
public struct APIClient: Sendable, Hashable {
    /// The client's id, the owner of its payments.
    public var id: String
    /// SHA-256 of the key.
    public var keyDigest: [UInt8]

    /// Creates a client from its plain key, which is hashed at once.
    public init(id: String, key: String) {
        self.id = id
        self.keyDigest = Array(SHA256.hash(data: Data(key.utf8)))
    }
}

/// Looks API keys up by hash and compares in constant time, so neither timing nor a memory dump reveals a key.
public struct APIKeyRegistry: Sendable {
    private let clients: [APIClient]

    /// Creates a registry.
    public init(clients: [APIClient]) {
        self.clients = clients
    }

    /// Parses `client_id:key,client_id:key`; throws naming the position of a bad entry, never its key.
    public static func parse(_ text: String) throws(ConfigurationError) -> APIKeyRegistry {
        var clients: [APIClient] = []
        for (index, entry) in text.split(separator: ",").enumerated() {
            let pair = entry.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, !pair[0].isEmpty, pair[1].utf8.count >= 16 else {
                throw ConfigurationError(
                    setting: "PAYMENTS_API_KEYS",
                    reason: "entry \(index + 1) must be client_id:key with a key of at least 16 characters"
                )
            }
            clients.append(APIClient(id: String(pair[0]), key: String(pair[1])))
        }
        guard !clients.isEmpty else {
            throw ConfigurationError(setting: "PAYMENTS_API_KEYS", reason: "no client_id:key pairs")
        }
        return APIKeyRegistry(clients: clients)
    }

    /// The client a presented key belongs to, or `nil`.
    public func client(forKey key: String) -> APIClient? {
        let digest = Array(SHA256.hash(data: Data(key.utf8)))
        var match: APIClient?
        // Every stored digest is compared, whatever matched, so the time taken does not depend on which key it was.
        for client in clients where ConstantTime.equals(client.keyDigest, digest) {
            match = client
        }
        return match
    }
}
