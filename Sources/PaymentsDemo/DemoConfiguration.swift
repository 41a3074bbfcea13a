import Foundation
import PaymentsCore
import PaymentsSupport

/// What one `payments demo` run does: where it sends payments, how many, how fast, how many of them are deliberately
/// invalid, and how long it waits for the accepted ones to settle.
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

    /// Checks and creates a configuration; a bad value throws a ``ConfigurationError`` naming it.
    public init(
        url: String = DemoConfiguration.defaultURL, apiKey: String, count: Int = 100, concurrency: Int = 8,
        badRequestShare: Double = 0.1, wait: Duration = .seconds(60), runID: String? = nil,
        requestTimeout: Duration = .seconds(10), pollInterval: Duration = .milliseconds(250)
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
            + "badRequestShare: \(badRequestShare), wait: \(wait), runID: \(runID), apiKey: <redacted>)"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
