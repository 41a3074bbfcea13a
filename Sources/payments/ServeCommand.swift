import ArgumentParser
import Foundation
import Logging
import Instrumentation
import Metrics
import PaymentsApp
import PaymentsCore
import ServiceLifecycle
import Telemetry
import UnixSignals

/// `payments serve`: the orchestrator.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the orchestrator: client API, webhook receiver, workers, /healthz and /readyz.",
        discussion: "With no configuration it runs on SQLite at ./data/payments.sqlite with the bank sandbox in-process."
    )

    @Option(help: "Listen host (PAYMENTS_HOST).") var host: String?
    @Option(help: "Listen port (PAYMENTS_PORT).") var port: Int?
    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?
    @Flag(help: "Do not apply migrations on start.") var noMigrate = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let loaded: ServeConfiguration.Loaded
        let logger: Logger
        do {
            logger = try LogBootstrap.bootstrap(environment: environment)
            loaded = try ServeConfiguration.load(
                environment: environment,
                overrides: .init(host: host, port: port, databaseURL: databaseURL, migrateOnStart: noMigrate ? false : nil)
            )
        } catch {
            exitWithConfigurationError(error)
        }
        if let generated = loaded.generatedAPIKey {
            // Shown once, on stderr and outside the JSON log, so that the key never lands in log storage.
            FileHandle.standardError.write(
                Data(
                    """
                    Embedded default: SQLite and the in-process bank sandbox.
                    Sandbox API key (client "\(generated.clientID)"), valid until this process stops:
                        export PAYMENTS_API_KEY=\(generated.key)

                    """.utf8
                )
            )
        }
        // One registry for the process: swift-metrics users (ours, Hummingbird's, postgres-nio's) record into it, and
        // /metrics renders it.
        let registry = MetricsRegistry(exemplarContext: TelemetryRuntime.currentExemplarContext)
        MetricsSystem.bootstrap(registry)
        let telemetry: TelemetryRuntime?
        do {
            // OTEL_SDK_DISABLED=true turns tracing off altogether (no spans, no trace ids in logs).
            if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" {
                telemetry = nil
            } else {
                let runtime = try TelemetryRuntime(environment: environment, serviceVersion: PaymentsVersion.current, metrics: registry)
                InstrumentationSystem.bootstrap(runtime.tracer)
                telemetry = runtime
            }
        } catch {
            exitWithConfigurationError(error)
        }
        let server = PaymentsServer(configuration: loaded.configuration, logger: logger, metrics: registry)
        // Telemetry first: the group stops services in reverse, so it flushes what the others ended.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            (telemetry.map { [.init(service: $0)] } ?? []) + [.init(service: server)]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        }
    }
}
