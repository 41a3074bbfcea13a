import ArgumentParser
import Foundation
import Logging
import PaymentsApp
import PaymentsSupport
import ServiceLifecycle
import Telemetry
import UnixSignals

/// `payments serve`: the orchestrator.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the orchestrator: client API, webhook receiver, workers, /healthz and /readyz.",
        discussion:
            "With no configuration it runs on SQLite at ./data/payments.sqlite with the bank sandbox in-process."
    )

    @Option(help: "Listen host (PAYMENTS_HOST).") var host: String?
    @Option(help: "Listen port (PAYMENTS_PORT).") var port: Int?
    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?
    @Flag(help: "Do not apply migrations on start.") var noMigrate = false

    func run() async throws {
        let environment = Environment.process
        let loaded: ServeConfiguration.Loaded
        let telemetry: TelemetryRuntime
        do {
            // One runtime for the process: swift-log, swift-metrics and swift-distributed-tracing users (ours,
            // Hummingbird's, AsyncHTTPClient's, postgres-nio's) all report into it; /metrics renders its registry.
            telemetry = try TelemetryRuntime(
                environment: environment, serviceVersion: PaymentsVersion.current,
                logLevel: try LogBootstrap.level(environment: environment),
                metricDescriptions: MetricDescriptions.all)
            telemetry.bootstrap()
            loaded = try ServeConfiguration.load(
                environment: environment,
                overrides: .init(
                    host: host, port: port, databaseURL: databaseURL, migrateOnStart: noMigrate ? false : nil)
            )
        } catch {
            exitWithConfigurationError(error)
        }
        let logger = Logger(label: "payments")
        if case .embeddedSandbox = loaded.configuration.bank {
            // On stderr and outside the JSON log: the generated key must never land in log storage.
            var banner = "The bank sandbox runs in this process: payments settle here and no money moves.\n"
            if let generated = loaded.generatedAPIKey {
                banner += """
                    Sandbox API key (client "\(generated.clientID)"), valid until this process stops:
                        export PAYMENTS_API_KEY=\(generated.key)

                    """
            }
            FileHandle.standardError.write(Data(banner.utf8))
        }
        if let keyFile = loaded.createdKeyFile { announceCreatedKeyFile(keyFile) }
        logger.info("Telemetry configured", metadata: ["exporters": "\(telemetry.exporterConfiguration)"])
        let server = PaymentsServer(configuration: loaded.configuration, logger: logger, metrics: telemetry.metrics)
        // Telemetry first: the group stops services in reverse, so it flushes what the others ended.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: telemetry), .init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
        )
        do {
            try await group.run()
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        }
    }
}
