import ArgumentParser
import BankSandbox
import Foundation
import Logging
import PaymentsCore
import ServiceLifecycle
import UnixSignals

/// `payments bank-sandbox`: the partner-bank sandbox alone, as a real HTTP server with fault injection.
///
/// HTTPS and mutual TLS come from the environment (all files PEM):
/// - `SANDBOX_TLS_CERT`: the server certificate chain, leaf first. With `SANDBOX_TLS_KEY`, the sandbox serves HTTPS.
/// - `SANDBOX_TLS_KEY`: the server certificate's private key (unencrypted).
/// - `SANDBOX_TLS_CLIENT_CA`: the CA certificates that sign acceptable client certificates; required with
///   `--require-client-cert` / `SANDBOX_REQUIRE_CLIENT_CERT=true`, which then make the TLS handshake fail for a client
///   without a certificate signed by that CA (the bank's `BANK_AUTH=mtls` mode).
///
/// ```sh
/// SANDBOX_TLS_CERT=server.pem SANDBOX_TLS_KEY=server.key SANDBOX_TLS_CLIENT_CA=client-ca.pem \
///     payments bank-sandbox --require-client-cert
/// ```
struct BankSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bank-sandbox",
        abstract: "Run the partner-bank sandbox as an HTTP server, with fault injection."
    )

    @Option(help: "Listen port (SANDBOX_PORT, default 8081).") var port: Int?
    @Option(help: "Where signed webhooks go (SANDBOX_WEBHOOK_URL).") var webhookURL: String?
    @Option(help: "Share of payment submissions answered 503 (0..1).") var errorRate: Double?
    @Option(help: "Share of submissions that never answer (0..1).") var hangRate: Double?
    @Option(help: "Latency added to every bank API call, in ms.") var latencyMs: Int?
    @Option(help: "Share of submissions answered 429 with Retry-After (0..1).") var rateLimitRate: Double?
    @Option(help: "Share of payments rejected (0..1).") var rejectRate: Double?
    @Option(help: "Share of payments returned with an ACH R-code (0..1).") var returnRate: Double?
    @Option(help: "Share of webhooks delivered twice (0..1).") var duplicateWebhookRate: Double?
    @Flag(help: "Send the final webhook before the processing one.") var reorderWebhooks = false
    @Option(help: "Extra delay before each webhook, in ms.") var webhookDelayMs: Int?
    @Option(help: "Lifetime of issued OAuth2 tokens, in seconds.") var tokenTTLSeconds: Int?
    @Flag(help: "Require a client certificate (mTLS).") var requireClientCert = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger: Logger
        var configuration = BankSandboxConfiguration.default
        do {
            logger = try LogBootstrap.bootstrap(environment: environment)
            if let text = environment["SANDBOX_PORT"] {
                guard let parsed = Int(text), (0...65535).contains(parsed) else {
                    throw ConfigurationError(setting: "SANDBOX_PORT", reason: "must be a number from 0 to 65535")
                }
                configuration.port = parsed
            }
            if let port {
                guard (0...65535).contains(port) else {
                    throw ConfigurationError(setting: "--port", reason: "must be a number from 0 to 65535")
                }
                configuration.port = port
            }
            configuration.webhookURL = webhookURL ?? environment["SANDBOX_WEBHOOK_URL"] ?? "http://127.0.0.1:8080/webhook/payments"
            if let secret = environment["BANK_WEBHOOK_SECRET"], !secret.isEmpty { configuration.webhookSecret = secret }
            if let value = environment["BANK_CLIENT_ID"], !value.isEmpty { configuration.clientID = value }
            if let value = environment["BANK_CLIENT_SECRET"], !value.isEmpty { configuration.clientSecret = value }
            if let value = environment["BANK_API_KEY"], !value.isEmpty { configuration.apiKey = value }
            do {
                configuration.faults = try SandboxFaults.fromEnvironment(environment, base: configuration.faults)
            } catch {
                throw ConfigurationError(setting: "SANDBOX_*", reason: "\(error)")
            }
            try applyFlags(to: &configuration.faults)
            configuration.tls = try tlsSetting(environment, clientCertRequired: configuration.faults.requireClientCert)
        } catch {
            exitWithConfigurationError(error)
        }
        let sandbox = BankSandbox(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: sandbox)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch let error as SandboxSettingError {
            exitWithConfigurationError(error)  // a TLS file that cannot be loaded, found as the server starts
        }
    }

    /// Reads `SANDBOX_TLS_CERT`, `SANDBOX_TLS_KEY` and `SANDBOX_TLS_CLIENT_CA`; `nil` (plain HTTP) when none is set.
    private func tlsSetting(_ environment: [String: String], clientCertRequired: Bool) throws -> BankSandboxConfiguration.TLS? {
        func file(_ name: String) throws -> String? {
            guard let path = environment[name], !path.isEmpty else { return nil }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isReadableFile(atPath: path)
            else { throw ConfigurationError(setting: name, reason: "no readable file at \(path)") }
            return path
        }
        let certificate = try file("SANDBOX_TLS_CERT")
        let key = try file("SANDBOX_TLS_KEY")
        let clientCA = try file("SANDBOX_TLS_CLIENT_CA")
        guard let certificate, let key else {
            if certificate != nil || key != nil {
                let missing = certificate == nil ? "SANDBOX_TLS_CERT" : "SANDBOX_TLS_KEY"
                throw ConfigurationError(setting: missing, reason: "is required with \(certificate == nil ? "SANDBOX_TLS_KEY" : "SANDBOX_TLS_CERT")")
            }
            if clientCA != nil {
                throw ConfigurationError(setting: "SANDBOX_TLS_CLIENT_CA", reason: "needs SANDBOX_TLS_CERT and SANDBOX_TLS_KEY")
            }
            if clientCertRequired {
                throw ConfigurationError(
                    setting: requireClientCert ? "--require-client-cert" : "SANDBOX_REQUIRE_CLIENT_CERT",
                    reason: "needs TLS: set SANDBOX_TLS_CERT, SANDBOX_TLS_KEY and SANDBOX_TLS_CLIENT_CA"
                )
            }
            return nil
        }
        if clientCertRequired && clientCA == nil {
            throw ConfigurationError(setting: "SANDBOX_TLS_CLIENT_CA", reason: "is required when client certificates are required")
        }
        return BankSandboxConfiguration.TLS(certificateChainPath: certificate, privateKeyPath: key, clientCAPath: clientCA)
    }

    private func applyFlags(to faults: inout SandboxFaults) throws {
        func rate(_ value: Double?, _ flag: String) throws -> Double? {
            guard let value else { return nil }
            guard (0...1).contains(value) else { throw ConfigurationError(setting: flag, reason: "must be between 0 and 1") }
            return value
        }
        func nonNegative(_ value: Int?, _ flag: String) throws -> Int? {
            guard let value else { return nil }
            guard value >= 0 else { throw ConfigurationError(setting: flag, reason: "must not be negative") }
            return value
        }
        if let value = try rate(errorRate, "--error-rate") { faults.errorRate = value }
        if let value = try rate(hangRate, "--hang-rate") { faults.hangRate = value }
        if let value = try nonNegative(latencyMs, "--latency-ms") { faults.latencyMs = value }
        if let value = try rate(rateLimitRate, "--rate-limit-rate") { faults.rateLimitRate = value }
        if let value = try rate(rejectRate, "--reject-rate") { faults.rejectRate = value }
        if let value = try rate(returnRate, "--return-rate") { faults.returnRate = value }
        if let value = try rate(duplicateWebhookRate, "--duplicate-webhook-rate") { faults.duplicateWebhookRate = value }
        if reorderWebhooks { faults.reorderWebhooks = true }
        if let value = try nonNegative(webhookDelayMs, "--webhook-delay-ms") { faults.webhookDelayMs = value }
        if let value = try nonNegative(tokenTTLSeconds, "--token-ttl-seconds") { faults.tokenTTLSeconds = value }
        if requireClientCert { faults.requireClientCert = true }
    }
}
