import Foundation
import PaymentsCore
import PaymentsSupport

/// What one `payments demo` run does: where it sends payments, how many, how fast, how many of them are deliberately
/// invalid, how long it waits for the accepted ones to settle, and whether it checks the server's notifications.
///
/// Every value is checked when the configuration is made, so a run never starts with a setting it cannot honour.
/// The API key is kept out of ``description``.
public struct DemoConfiguration: Sendable {
    /// The default server: `payments serve` on its default port.
    public static let defaultURL = "http://127.0.0.1:8080"

    /// The server's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String
    /// The client API key sent as `Authorization: Bearer <key>`. Never printed.
    public let apiKey: String
    /// How many create requests to send, valid and invalid together.
    public let count: Int
    /// How many requests are in flight at once.
    public let concurrency: Int
    /// The share (0...1) of requests that are deliberately invalid and must be answered `422`.
    public let badRequestShare: Double
    /// How long to wait, after the last create, for every accepted payment to reach a terminal status; zero skips
    /// the wait.
    public let wait: Duration
    /// Appears in every `client_ref` (`DEMO-<run id>-<n>`) and `Idempotency-Key` of the run.
    public let runID: String
    /// The deadline of each HTTP request.
    public let requestTimeout: Duration
    /// The pause between two polling rounds while payments settle.
    public let pollInterval: Duration
    /// Whether the run registers a webhook endpoint of its own on 127.0.0.1 and checks the signed events the server
    /// pushes to it. Unless set, on when the server is on loopback (only a server on this machine can reach it).
    public let notifications: Bool
    /// How long, once the payments settled, the run waits for notifications still missing while none arrives; it
    /// gives up at the latest after ``wait`` (or this, if longer).
    public let notificationGrace: Duration

    /// Checks and creates a configuration; a bad value throws a ``ConfigurationError`` naming it.
    public init(
        url: String = DemoConfiguration.defaultURL, apiKey: String, count: Int = 100, concurrency: Int = 8,
        badRequestShare: Double = 0.1, wait: Duration = .seconds(60), runID: String? = nil,
        requestTimeout: Duration = .seconds(10), pollInterval: Duration = .milliseconds(250),
        notifications: Bool? = nil, notificationGrace: Duration = .seconds(5)
    ) throws(ConfigurationError) {
        self.baseURL = try Self.checkedURL(url)
        guard !apiKey.isEmpty else {
            throw ConfigurationError(
                setting: "--api-key", reason: "is required: pass --api-key or set PAYMENTS_API_KEY")
        }
        guard apiKey.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw ConfigurationError(setting: "--api-key", reason: "must be visible ASCII characters without spaces")
        }
        self.apiKey = apiKey
        guard (1...100_000).contains(count) else {
            throw ConfigurationError(setting: "--count", reason: "must be from 1 to 100000")
        }
        self.count = count
        guard (1...256).contains(concurrency) else {
            throw ConfigurationError(setting: "--concurrency", reason: "must be from 1 to 256")
        }
        self.concurrency = concurrency
        guard badRequestShare.isFinite, (0...1).contains(badRequestShare) else {
            throw ConfigurationError(setting: "--bad-request-share", reason: "must be between 0 and 1")
        }
        self.badRequestShare = badRequestShare
        guard wait >= .zero, wait <= .seconds(86_400) else {
            throw ConfigurationError(setting: "--wait", reason: "must be from 0 to 86400 seconds")
        }
        self.wait = wait
        let runID = runID ?? Self.randomRunID()
        guard (1...24).contains(runID.utf8.count),
            runID.utf8.allSatisfy({ byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                    || byte == UInt8(ascii: "_")
            })
        else {
            throw ConfigurationError(setting: "--run-id", reason: "must be 1 to 24 characters of A-Z, a-z, 0-9 and _")
        }
        self.runID = runID
        guard requestTimeout > .zero else {
            throw ConfigurationError(setting: "requestTimeout", reason: "must be positive")
        }
        self.requestTimeout = requestTimeout
        self.pollInterval = max(pollInterval, .milliseconds(10))
        self.notifications = notifications ?? Self.isLoopback(baseURL)
        guard notificationGrace >= .zero, notificationGrace <= .seconds(3600) else {
            throw ConfigurationError(setting: "notificationGrace", reason: "must be from 0 to 3600 seconds")
        }
        self.notificationGrace = notificationGrace
    }

    /// The number of deliberately invalid requests: the share of ``count``, rounded down.
    public var badRequestCount: Int {
        Int((Double(count) * badRequestShare).rounded(.down))
    }

    /// The base URL as it may be shown: without any user name or password it carried.
    public var displayURL: String {
        guard var components = URLComponents(string: baseURL) else { return baseURL }
        components.user = nil
        components.password = nil
        return components.string ?? baseURL
    }

    /// Whether the URL's host is this machine: `localhost`, `127.x.x.x` or `::1`.
    static func isLoopback(_ url: String) -> Bool {
        guard var host = URLComponents(string: url)?.host?.lowercased() else { return false }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Eight lower-case hex digits, e.g. `3f9a2c1b`.
    static func randomRunID() -> String {
        String(UInt32.random(in: .min ... .max), radix: 16).leftPadded(to: 8)
    }

    /// `http(s)://host[:port][/prefix]`, without a trailing slash, a query or a fragment.
    static func checkedURL(_ text: String) throws(ConfigurationError) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw ConfigurationError(
                setting: "--url", reason: "must be an http:// or https:// URL such as \(defaultURL)")
        }
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}

extension DemoConfiguration: CustomStringConvertible {
    /// The settings, without the API key.
    public var description: String {
        "DemoConfiguration(url: \(displayURL), count: \(count), concurrency: \(concurrency), "
            + "badRequestShare: \(badRequestShare), wait: \(wait), runID: \(runID), notifications: \(notifications), "
            + "apiKey: <redacted>)"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
