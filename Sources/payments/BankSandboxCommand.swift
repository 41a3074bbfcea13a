import ArgumentParser
import BankSandbox
import Foundation
import Logging
import PaymentsSupport
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
struct BankSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bank-sandbox",
        abstract: "Run the partner-bank sandbox as an HTTP server, with fault injection."
    )

    @Option(help: "Listen port (SANDBOX_PORT, default 8081).") var port: Int?
    @Option(help: "Where signed webhooks go (SANDBOX_WEBHOOK_URL).") var webhookURL: String?
    @Option(help: "Share of payment submissions answered 503 (0..1).") var errorRate: String?
    @Option(help: "Share of submissions that never answer (0..1).") var hangRate: String?
    @Option(help: "Latency added to every bank API call, in ms.") var latencyMs: String?
    @Option(help: "Share of submissions answered 429 with Retry-After (0..1).") var rateLimitRate: String?
    @Option(help: "Share of payments rejected (0..1).") var rejectRate: String?
    @Option(help: "Share of payments returned with an ACH R-code (0..1).") var returnRate: String?
    @Option(help: "Share of webhooks delivered twice (0..1).") var duplicateWebhookRate: String?
    @Flag(help: "Send the final webhook before the processing one.") var reorderWebhooks = false
    @Option(help: "Extra delay before each webhook, in ms.") var webhookDelayMs: String?
    @Option(help: "Lifetime of issued OAuth2 tokens, in seconds.") var tokenTTLSeconds: String?
    @Flag(help: "Require a client certificate (mTLS).") var requireClientCert = false
    @Option(help: "Share of status changes whose webhook is never sent (0..1).") var dropWebhookRate: String?
    @Option(help: "Share of completed payments returned later (0..1).") var lateReturnRate: String?
    @Option(help: "How long after completion a late return comes, in ms.") var lateReturnAfterMs: String?
    @Option(help: "Share of new payments recorded, then answered 500 (0..1).") var ambiguousAcceptRate: String?
    @Option(help: "Time from acceptance to processing, in ms (default 100).") var processingDelayMs: String?
    @Option(help: "Time from processing to settlement, in ms (default 300).") var settlementDelayMs: String?

    func run() async throws {
        let environment = Environment.process
        let logger: Logger
        var configuration: BankSandboxConfiguration
        do {
            logger = try LogBootstrap.bootstrap(environment: environment)
            configuration = try BankSandboxConfiguration(environment: environment)
            if let port {
                guard (0...65535).contains(port) else {
                    throw ConfigurationError(setting: "--port", reason: "must be \(SandboxSettings.port.expectation)")
                }
                configuration.port = port
            }
            if let webhookURL {
                configuration.webhookURL = try SandboxSettings.webhookURL.parse(webhookURL, as: "--webhook-url")
            }
            try applyFlags(to: &configuration.faults)
            if let processingDelayMs {
                configuration.processingDelay = .milliseconds(
                    try SandboxSettings.processingDelay.parse(processingDelayMs, as: "--processing-delay-ms"))
            }
            if let settlementDelayMs {
                configuration.settlementDelay = .milliseconds(
                    try SandboxSettings.settlementDelay.parse(settlementDelayMs, as: "--settlement-delay-ms"))
            }
            configuration.tls = try BankSandboxConfiguration.TLS(
                environment: environment, clientCertificateRequired: configuration.faults.requireClientCert,
                requiredBy: requireClientCert ? "--require-client-cert" : SandboxSettings.requireClientCert.variable
            )
        } catch {
            exitWithConfigurationError(error)
        }
        let sandbox = BankSandbox(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: sandbox)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)  // a TLS file that cannot be loaded, found as the server starts
        }
    }

    /// The fault flags over the environment's faults, each read by the same setting as its variable.
    private func applyFlags(to faults: inout SandboxFaults) throws(ConfigurationError) {
        let flags: [(String, String?)] = [
            ("--error-rate", errorRate), ("--hang-rate", hangRate), ("--latency-ms", latencyMs),
            ("--rate-limit-rate", rateLimitRate), ("--reject-rate", rejectRate), ("--return-rate", returnRate),
            ("--duplicate-webhook-rate", duplicateWebhookRate), ("--webhook-delay-ms", webhookDelayMs),
            ("--token-ttl-seconds", tokenTTLSeconds), ("--drop-webhook-rate", dropWebhookRate),
            ("--late-return-rate", lateReturnRate), ("--late-return-after-ms", lateReturnAfterMs),
            ("--ambiguous-accept-rate", ambiguousAcceptRate),
        ]
        for case (let flag, let value?) in flags { try faults.set(flag: flag, value: value) }
        if reorderWebhooks { faults.reorderWebhooks = true }
        if requireClientCert { faults.requireClientCert = true }
    }
}
