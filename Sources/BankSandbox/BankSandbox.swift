import AsyncHTTPClient
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle

/// A partner bank for tests, demos and local runs: a real HTTP server speaking the bank's API, with fault injection
/// and signed webhooks.
///
/// It is a `Service`: run it in a `ServiceGroup` (or call ``run()`` in a task) and it serves until graceful shutdown
/// or cancellation. Its state (tokens, payments, counters) lives in memory for the life of the value.
public final class BankSandbox: Service, Sendable {
    private let configuration: BankSandboxConfiguration
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void
    private let state: SandboxState
    // Request handlers yield webhook jobs here and the dispatcher consumes them; created up front (no task is started
    // in the initialiser) so that the handlers and the dispatcher share it once `run()` begins.
    private let webhookJobs: AsyncStream<WebhookJob>
    private let webhookJobsContinuation: AsyncStream<WebhookJob>.Continuation

    /// Creates a sandbox; nothing listens until ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: Address, credentials, webhook target, faults and settlement timing.
    ///   - logger: Where the sandbox logs; lines about a payment carry `payment_id`, `client_ref` and `bank_ref`,
    ///     never secrets or tokens.
    ///   - onListening: Called with the bound port once the server accepts connections (useful with port `0`).
    public init(
        configuration: BankSandboxConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.state = SandboxState(configuration: configuration)
        (self.webhookJobs, self.webhookJobsContinuation) = AsyncStream.makeStream(of: WebhookJob.self)
    }

    /// Serves the bank API and delivers webhooks until graceful shutdown or cancellation.
    ///
    /// On graceful shutdown the server stops accepting connections and finishes in-flight requests (injected hangs
    /// and latency are cut short), then the webhook dispatcher stops, dropping deliveries still pending. Call once.
    public func run() async throws {
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow)
        )
        let result: Result<Void, any Error>
        do {
            try await self.serve(webhookClient: httpClient)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        self.webhookJobsContinuation.finish()
        do {
            try await httpClient.shutdown()
        } catch {
            self.logger.warning("Webhook HTTP client did not shut down cleanly", metadata: ["error": "\(error)"])
        }
        try result.get()
    }

    /// Points webhooks somewhere else (or nowhere, with `nil`); applies to events sent from now on.
    ///
    /// The embedded sandbox needs this because the orchestrator it calls back learns its own port only after start.
    public func setWebhookURL(_ url: String?) async {
        await self.state.setWebhookURL(url)
    }

    /// The counters so far.
    public func stats() async -> SandboxStats {
        await self.state.stats
    }

    /// Replaces the faults in force; applies to requests and payments from now on.
    ///
    /// Values are used as given (a rate above 1 behaves like 1); validate untrusted input with
    /// ``SandboxFaults/init(environment:base:)`` or by decoding JSON, which both check ranges.
    public func setFaults(_ faults: SandboxFaults) async {
        await self.state.setFaults(faults)
    }

    /// Runs the HTTP server with the webhook dispatcher as one of its services. Hummingbird's service group shuts
    /// services down in reverse order, so the server drains first and the dispatcher keeps delivering until it has.
    private func serve(webhookClient: HTTPClient) async throws {
        let dispatcher = WebhookDispatcher(
            jobs: self.webhookJobs,
            httpClient: webhookClient,
            state: self.state,
            signer: WebhookSigner(secrets: self.configuration.webhookSecret),
            policy: .standard,
            logger: self.logger
        )
        // Client certificates are asked for in the TLS handshake, so the start-up value of the fault decides.
        let requireClientCert = self.configuration.faults.requireClientCert
        let routes = SandboxRoutes(
            state: self.state,
            configuration: self.configuration,
            clientCertificateVerified: self.configuration.tls != nil && requireClientCert,
            jobs: self.webhookJobsContinuation
        )
        let server: HTTPServerBuilder
        if let tls = self.configuration.tls {
            server = try .tls(
                .http1(), tlsConfiguration: tls.makeServerConfiguration(requireClientCert: requireClientCert))
        } else {
            server = .http1()
            if requireClientCert {
                self.logger.notice(
                    "require_client_cert is recorded but not enforced: the sandbox serves plain HTTP (no TLS)")
            }
        }

        let logger = self.logger
        let onListening = self.onListening
        let host = self.configuration.host
        let configuredPort = self.configuration.port
        let tls = self.configuration.tls != nil
        let application = Application(
            router: routes.makeRouter(),
            server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: configuredPort),
                serverName: "bank-sandbox"
            ),
            services: [dispatcher],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuredPort
                logger.info(
                    "Bank sandbox listening",
                    metadata: [
                        "host": "\(host)", "port": "\(port)", "tls": "\(tls)",
                        "client_cert_required": "\(tls && requireClientCert)",
                    ]
                )
                await onListening(port)
            },
            logger: logger
        )
        try await application.run()
    }
}
