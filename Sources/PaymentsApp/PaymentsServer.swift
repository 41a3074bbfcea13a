import AsyncHTTPClient
import BankClient
import BankSandbox
import CoreMetrics
import ERPClient
import Foundation
import Hummingbird
import Logging
import PaymentsAPI
import PaymentsCore
import PaymentsOrchestrator
import PaymentsStorage
import PaymentsSupport
import PostgresNIO
import ServiceLifecycle
import Telemetry

/// The whole orchestrator as one service: storage, the bank (or the embedded sandbox), the durable workers and the
/// HTTP server, started in that order and stopped in reverse, so the server stops taking requests first and the
/// workers finish their jobs before the bank sandbox goes away.
public struct PaymentsServer: Service {
    private let configuration: ServeConfiguration
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void
    private let metrics: any MetricsFactory

    /// Creates the server; `onListening` is told the bound port (useful with port 0).
    public init(
        configuration: ServeConfiguration, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.onListening = onListening
    }

    public func run() async throws {
        // The pool (PostgreSQL) is cancelled only after the workers and the server stopped.
        try await StoreConnection.with(configuration.database, ring: configuration.dataKeys, logger: logger) { store in
            try await run(store: store)
        }
    }

    private func run<Store: PaymentStore>(store: Store) async throws {
        if configuration.migrateOnStart {
            try await store.migrate()
            logger.info("Database migrated")
        }
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                timeout: .init(connect: .seconds(2), read: .seconds(30)),
                connectionPool: .init(idleTimeout: .seconds(60))
            )
        )
        do {
            try await run(store: store, httpClient: httpClient)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    private func run<Store: PaymentStore>(store: Store, httpClient: HTTPClient) async throws {
        let signal = WakeUpSignal()
        let orchestrator = PaymentOrchestrator(
            store: store, signal: signal, logger: logger, metrics: PaymentMetrics(factory: metrics)
        )
        let usesSandbox = if case .embeddedSandbox = configuration.bank { true } else { false }
        Gauge(label: "bank_sandbox_in_use", dimensions: [], factory: metrics).record(usesSandbox ? 1 : 0)
        PaymentMetrics.registerAtZero(clients: configuration.apiKeys.clientIDs, factory: metrics)
        if usesSandbox {
            logger.warning("The bank sandbox is in use: payments settle in this process and no money moves")
        } else if configuration.apiKeys.hasPlainKeys {
            logger.warning(
                "PAYMENTS_API_KEYS holds client keys in clear: configure client_id:sha256:<hex> entries instead (payments api-key new prints one)"
            )
        }
        let router = APIRouter.build(
            orchestrator: orchestrator, apiKeys: configuration.apiKeys,
            webhookSignature: WebhookSignature(secrets: configuration.webhookSecrets), limits: configuration.limits,
            metrics: metrics, metricsEndpoint: Self.metricsEndpoint(metrics), bank: usesSandbox ? "sandbox" : "remote",
            rateLimits: configuration.rateLimits, notifications: configuration.notifications
        )
        var services: [any Service] = []
        let sandbox: BankSandbox?
        let bank = OneShotValue<HTTPBankClient>()
        // With BANK_AUTH=mtls the bank gets its own HTTPClient, presenting our certificate; the ERP keeps the shared one.
        let bankHTTPClient: HTTPClient?
        switch configuration.bank {
        case .embeddedSandbox(let sandboxConfiguration):
            var sandboxLogger = logger
            sandboxLogger[metadataKey: "component"] = "bank-sandbox"
            let clientLogger = logger
            let metrics = self.metrics
            let embedded = BankSandbox(configuration: sandboxConfiguration, logger: sandboxLogger) { port in
                let base = "http://127.0.0.1:\(port)"
                let client = BankClientConfiguration(
                    baseURL: base,
                    authentication: .oauth2(
                        tokenURL: base + "/oauth/token", clientID: sandboxConfiguration.clientID,
                        clientSecret: sandboxConfiguration.clientSecret
                    )
                )
                bank.set(
                    HTTPBankClient(
                        configuration: client, httpClient: httpClient, logger: clientLogger, metrics: metrics))
            }
            sandbox = embedded
            bankHTTPClient = nil
            services.append(embedded)
        case .remote(let bankConfiguration):
            sandbox = nil
            bankHTTPClient = try BankTLS.makeHTTPClient(configuration: bankConfiguration)
            bank.set(
                HTTPBankClient(
                    configuration: bankConfiguration, httpClient: bankHTTPClient ?? httpClient, logger: logger,
                    metrics: metrics
                )
            )
        }
        let guardedBank = ThrottledBankGateway(
            base: DeferredBankGateway(bank: bank), configuration: configuration.throttle, logger: logger,
            metrics: metrics
        )
        let erp: any ERPGateway =
            if let url = configuration.erpWebhookURL {
                HTTPERPGateway(url: url, secret: configuration.erpWebhookSecret, httpClient: httpClient)
            } else {
                UnconfiguredERPGateway()
            }
        if configuration.erpWebhookURL == nil && configuration.worker.concurrency > 0 {
            logger.info("No ERP configured (ERP_WEBHOOK_URL): ERP updates are skipped")
        }
        // Work queued by other instances wakes this one's worker and deliverer through PostgreSQL notifications; on
        // SQLite every writer is this process, which wakes them itself.
        let deliverySignal = WakeUpSignal()
        let listener = (store as? PostgresPaymentStore).map {
            PostgresWakeUpListener(store: $0, jobs: signal, deliveries: deliverySignal, logger: self.logger)
        }
        let worker = JobWorker(
            store: store, bank: guardedBank, erp: erp, signal: signal, configuration: configuration.worker,
            logger: logger, metrics: metrics, submitGate: { guardedBank.acceptsSubmissions }
        )
        // An API-only instance (no workers) leaves the queue, reconciliation and retention to the instances that have
        // them.
        if configuration.worker.concurrency > 0 {
            if let listener { services.append(listener) }
            services.append(worker)
            services.append(
                RetentionSweeper(
                    store: store, interval: configuration.reconciler.interval,
                    keep: configuration.reconciler.returnWindow + configuration.accountRetention,
                    eventRetention: configuration.notifications.eventRetention,
                    jobRetention: configuration.worker.retention, keyIDs: configuration.dataKeys.keys.map(\.id),
                    logger: logger, metrics: metrics))
            services.append(
                Reconciler(
                    store: store, bank: guardedBank, configuration: configuration.reconciler, logger: logger,
                    metrics: metrics
                )
            )
        }
        let transport = HTTPWebhookTransport()
        // Deliveries are background work too: an API-only instance leaves them to the worker instances.
        if configuration.worker.concurrency > 0 && configuration.notifications.concurrency > 0 {
            services.append(
                ClientWebhookDeliverer(
                    store: store, transport: transport, configuration: configuration.notifications, logger: logger,
                    metrics: metrics, signal: deliverySignal))
        }
        services.append(
            BacklogMetricsSampler(
                store: store, stuckAfter: configuration.reconciler.stuckAfter, logger: logger, metrics: metrics
            ) {
                await worker.pruneRetryGauges()
                guardedBank.refreshGauges()
            })
        let onListening = self.onListening
        let logger = self.logger
        let budget = ConnectionGuard.Budget(
            maximumConnections: configuration.http.maximumConnections, bodyTimeout: configuration.http.bodyTimeout,
            logger: logger, metrics: metrics)
        let app = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionGuard(budget: budget)],
                    idleTimeout: .nanoseconds(Int64(configuration.http.idleTimeout.wholeNanoseconds)))),
            // A deep accept queue: a burst of connections is accepted, then judged, rather than left in SYN retries.
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                if let sandbox {
                    await sandbox.setWebhookURL("http://127.0.0.1:\(port)/webhook/payments")
                }
                logger.info("Payments server listening", metadata: ["port": "\(port)"])
                await onListening(port)
            },
            logger: logger
        )
        services.append(app)
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            try? await bankHTTPClient?.shutdown()
            try? await transport.shutdown()
            throw error
        }
        try await bankHTTPClient?.shutdown()
        try await transport.shutdown()
    }

    /// `/metrics` when the metrics go to our registry (tests may record elsewhere).
    private static func metricsEndpoint(_ metrics: any MetricsFactory) -> MetricsEndpoint? {
        guard let registry = metrics as? MetricsRegistry else { return nil }
        return { accept in
            let format = PrometheusRenderer.Format.negotiate(accept: accept)
            return (
                format.contentType,
                PrometheusRenderer.render(registry.snapshot(), format: format, help: MetricDescriptions.all)
            )
        }
    }
}
