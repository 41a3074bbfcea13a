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
        self.keyDigest = Self.digest(of: key)
    }

    /// Creates a client from the SHA-256 of its key, as configuration gives it (`client_id:sha256:<hex>`).
    public init(id: String, keyDigest: [UInt8]) {
        self.id = id
        self.keyDigest = keyDigest
    }

    /// SHA-256 of a key.
    public static func digest(of key: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(key.utf8)))
    }

    /// A new key, `sk_` and 64 lower-case hex digits (32 random bytes), and the configuration entry that accepts it:
    /// `client_id:sha256:<hex SHA-256 of the key>`.
    public static func newKey(forClient id: String) -> (key: String, entry: String) {
        let key = "sk_" + Hex.encode(SecureRandom.bytes(32))
        return (key, "\(id):sha256:\(Hex.encode(digest(of: key)))")
    }

    /// Whether `id` can name a client: 1 to 64 of A-Z, a-z, 0-9, `.`, `_` and `-`.
    public static func isValidID(_ id: some StringProtocol) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }
}

/// Looks API keys up by hash and compares in constant time, so neither timing nor a memory dump reveals a key.
public struct APIKeyRegistry: Sendable {
    private let clients: [APIClient]

    /// Creates a registry of keys given in clear (tests, the embedded default's generated key).
    public init(clients: [APIClient]) {
        self.init(clients: clients, hasPlainKeys: true)
    }

    /// Whether any key was configured in clear (`client_id:key`) rather than as its digest.
    public let hasPlainKeys: Bool

    /// The ids of the configured clients, in configuration order.
    public var clientIDs: [String] { clients.map(\.id) }

    /// Creates a registry; `hasPlainKeys` says whether any key came in clear.
    public init(clients: [APIClient], hasPlainKeys: Bool) {
        self.clients = clients
        self.hasPlainKeys = hasPlainKeys
    }

    /// Parses comma-separated `client_id:sha256:<64 hex digits>` (the key's SHA-256, so the key itself is never in
    /// configuration) or `client_id:key` (a key of at least 16 characters, in clear) entries; a client may have
    /// several, for rotation. Throws naming the position of a bad entry, never its key.
    public static func parse(_ text: String) throws(ConfigurationError) -> APIKeyRegistry {
        var clients: [APIClient] = []
        var plain = false
        for (index, entry) in text.split(separator: ",").enumerated() {
            let pair = entry.trimmingASCIIWhitespace().split(separator: ":", maxSplits: 1)
            guard pair.count == 2, APIClient.isValidID(pair[0]) else {
                throw ConfigurationError(
                    setting: "PAYMENTS_API_KEYS",
                    reason: "entry \(index + 1) must be client_id:sha256:<hex> or client_id:key (client ids: "
                        + "1 to 64 of A-Z a-z 0-9 . _ -)"
                )
            }
            let value = pair[1]
            if value.hasPrefix("sha256:") {
                let hex = value.dropFirst("sha256:".count)
                guard hex.utf8.count == 64, let digest = Hex.decode(hex) else {
                    throw ConfigurationError(
                        setting: "PAYMENTS_API_KEYS",
                        reason: "entry \(index + 1) must give sha256: and 64 hex digits (the SHA-256 of the key)")
                }
                clients.append(APIClient(id: String(pair[0]), keyDigest: digest))
            } else {
                guard value.utf8.count >= 16 else {
                    throw ConfigurationError(
                        setting: "PAYMENTS_API_KEYS",
                        reason: "entry \(index + 1) must be client_id:key with a key of at least 16 characters")
                }
                plain = true
                clients.append(APIClient(id: String(pair[0]), key: String(value)))
            }
        }
        guard !clients.isEmpty else {
            throw ConfigurationError(setting: "PAYMENTS_API_KEYS", reason: "no client_id:key pairs")
        }
        return APIKeyRegistry(clients: clients, hasPlainKeys: plain)
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
