import Foundation
import PaymentsCore
import PaymentsSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Where the data keys come from: `PAYMENTS_DATA_KEYS`, else `PAYMENTS_DATA_KEYS_FILE`, else, for a SQLite database
/// only, a key file beside it that the first start creates (owner-only).
///
/// Entries are `key_id:<base64 of 32 random bytes>`, comma- or line-separated (`#` starts a comment line). The first
/// data key seals, all open; the entry with the id `index` is the blind-index key, which never seals and never
/// rotates. Errors name the setting and the entry's position, never a key.
public enum DataKeys {
    /// The ring, and the path of the key file when this call created it (to be announced once).
    public struct Loaded: Sendable {
        public var ring: DataKeyRing
        public var createdFile: String?
    }

    /// Loads the ring for `database`.
    public static func load(environment: Environment, database: ServeConfiguration.Database) throws(ConfigurationError)
        -> Loaded
    {
        if let text = try environment.value(ServeSettings.dataKeys) {
            return Loaded(ring: try parse(text, setting: ServeSettings.dataKeys.variable), createdFile: nil)
        }
        if let path = try environment.value(ServeSettings.dataKeysFile) {
            return Loaded(ring: try read(path, setting: ServeSettings.dataKeysFile.variable), createdFile: nil)
        }
        guard case .sqlite(let databasePath) = database else {
            throw ConfigurationError(
                setting: ServeSettings.dataKeys.variable,
                reason:
                    "is required with PostgreSQL (or PAYMENTS_DATA_KEYS_FILE): key_id:base64 entries and index:base64")
        }
        let path = databasePath + ".keys"
        if FileManager.default.fileExists(atPath: path) {
            return Loaded(ring: try read(path, setting: path), createdFile: nil)
        }
        try create(path)
        return Loaded(ring: try read(path, setting: path), createdFile: path)
    }

    /// Parses the entries.
    public static func parse(_ text: String, setting: String) throws(ConfigurationError) -> DataKeyRing {
        var keys: [(id: String, bytes: [UInt8])] = []
        var index: [UInt8]?
        let entries = text.split(separator: "\n").map { $0.trimmingASCIIWhitespace() }.filter { !$0.hasPrefix("#") }
            .flatMap { $0.split(separator: ",").map { $0.trimmingASCIIWhitespace() } }
        for (position, entry) in entries.enumerated() where !entry.isEmpty {
            let pair = entry.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, isKeyID(pair[0]), let bytes = Data(base64Encoded: String(pair[1])), bytes.count == 32
            else {
                throw ConfigurationError(
                    setting: setting,
                    reason:
                        "entry \(position + 1) must be key_id:<base64 of 32 bytes> (ids: 1 to 32 of A-Z a-z 0-9 _ -)")
            }
            let id = String(pair[0])
            guard id != "index" else {
                guard index == nil else {
                    throw ConfigurationError(setting: setting, reason: "more than one index key")
                }
                index = Array(bytes)
                continue
            }
            guard !keys.contains(where: { $0.id == id }) else {
                throw ConfigurationError(setting: setting, reason: "key id \(id) appears twice")
            }
            keys.append((id, Array(bytes)))
        }
        guard !keys.isEmpty else { throw ConfigurationError(setting: setting, reason: "has no data key") }
        guard let index else {
            throw ConfigurationError(setting: setting, reason: "has no index key (an entry index:<base64 of 32 bytes>)")
        }
        return DataKeyRing(keys: keys, indexKey: index)
    }

    /// A new key file's contents: a data key named for today, and an index key.
    public static func newFileContents(now: Date = Date()) -> String {
        let day = Date.ISO8601FormatStyle().year().month().day().dateSeparator(.omitted).format(now)
        return """
            # Data keys of the payments database beside this file: key_id:base64, the first seals, all open;
            # "index" keys the blind index and must never change. Losing this file loses every account number.
            k\(day):\(Data(SecureRandom.bytes(32)).base64EncodedString())
            index:\(Data(SecureRandom.bytes(32)).base64EncodedString())

            """
    }

    private static func isKeyID(_ id: some StringProtocol) -> Bool {
        (1...32).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
    }

    private static func read(_ path: String, setting: String) throws(ConfigurationError) -> DataKeyRing {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(setting: setting, reason: "cannot be read")
        }
        return try parse(text, setting: setting)
    }

    /// Creates the key file, readable and writable by its owner only, failing if it appeared meanwhile.
    private static func create(_ path: String) throws(ConfigurationError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw ConfigurationError(setting: "PAYMENTS_DATA_KEYS_FILE", reason: "a key file could not be created")
        }
        defer { close(descriptor) }
        _ = fchmod(descriptor, 0o600)
        let bytes = Array(newFileContents().utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw ConfigurationError(setting: "PAYMENTS_DATA_KEYS_FILE", reason: "a key file could not be written")
        }
    }
}
