import AsyncHTTPClient
import BankClient
import BankSandbox
import Foundation
import Hummingbird
import Logging
import PaymentsAPI
import PaymentsCore
import PaymentsOrchestrator
import PaymentsStorage
import PostgresNIO
import ServiceLifecycle

/// The whole orchestrator as one service: storage, the bank (or the embedded sandbox), the durable workers and the
/// HTTP server, started in that order and stopped in reverse, so the server stops taking requests first and the
/// workers finish their jobs before the bank sandbox goes away.
///
/// ```swift
/// let server = PaymentsServer(configuration: configuration, logger: logger)
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct PaymentsServer: Service {
    private let configuration: ServeConfiguration
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// Creates the server; `onListening` is told the bound port (useful with port 0).
    public init(configuration: ServeConfiguration, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        switch configuration.database {
        case .sqlite(let path):
            let store = try SQLitePaymentStore(path: path)
            try await run(store: store)
        case .postgres(let url):
            let settings = try PostgresStoreConfiguration(url: url)
            var postgresLogger = logger
            postgresLogger[metadataKey: "component"] = "postgres"
            // postgres-nio logs received data rows at trace level, and rows hold account numbers: never below debug.
            postgresLogger.logLevel = max(logger.logLevel, .debug)
            let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: postgresLogger)
            let store = PostgresPaymentStore(client: client, logger: postgresLogger)
            // The pool runs beside everything else and is cancelled only after the workers and the server stopped.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await run(store: store)
            }
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
        let signal = JobSignal()
        let orchestrator = PaymentOrchestrator(store: store, signal: signal, logger: logger)
        let erp = ERPNotifier(url: configuration.erpWebhookURL, httpClient: httpClient)
        let router = APIRouter.build(
            orchestrator: orchestrator, apiKeys: configuration.apiKeys,
            webhookSignature: WebhookSignature(secrets: configuration.webhookSecrets), limits: configuration.limits
        )
        var services: [any Service] = []
        let sandbox: BankSandbox?
        let bank = AsyncValue<HTTPBankClient>()
        switch configuration.bank {
        case .embeddedSandbox(let sandboxConfiguration):
            var sandboxLogger = logger
            sandboxLogger[metadataKey: "component"] = "bank-sandbox"
            let clientLogger = logger
            let embedded = BankSandbox(configuration: sandboxConfiguration, logger: sandboxLogger) { port in
                let base = "http://127.0.0.1:\(port)"
                let client = BankClientConfiguration(
                    baseURL: base,
                    authentication: .oauth2(
                        tokenURL: base + "/oauth/token", clientID: sandboxConfiguration.clientID,
                        clientSecret: sandboxConfiguration.clientSecret
                    )
                )
                bank.set(HTTPBankClient(configuration: client, httpClient: httpClient, logger: clientLogger))
            }
            sandbox = embedded
            services.append(embedded)
        case .remote(let bankConfiguration):
            sandbox = nil
            bank.set(HTTPBankClient(configuration: bankConfiguration, httpClient: httpClient, logger: logger))
        }
        let worker = JobWorker(
            store: store, bank: DeferredBankGateway(bank: bank), erp: erp, signal: signal,
            configuration: configuration.worker, logger: logger
        )
        services.append(worker)
        let onListening = self.onListening
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
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
        try await group.run()
    }
}
