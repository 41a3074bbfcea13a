import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsSupport
import Telemetry

enum LogBootstrap {
    /// The `LOG_LEVEL` setting (default info).
    static func level(environment: Environment, default: Logger.Level = .info) throws(ConfigurationError)
        -> Logger.Level
    {
        try environment.value(ServeSettings.logLevel, default: `default`)
    }

    /// JSON lines at `LOG_LEVEL` on stdout (or, for commands that print their answer there, on stderr with
    /// `warning` as the default level), for the commands that export no telemetry (`serve` bootstraps a
    /// ``TelemetryRuntime`` instead). Done once per process, before anything logs.
    static func bootstrap(environment: Environment, onStandardError: Bool = false) throws(ConfigurationError)
        -> Logger
    {
        let level = try level(environment: environment, default: onStandardError ? .warning : .info)
        let sink = StandardOutputLogSink(standardError: onStandardError)
        // The trace-context provider adds trace_id and span_id to every line written inside a span.
        LoggingSystem.bootstrap(
            { label, provider in JSONLogHandler(label: label, sink: sink, logLevel: level, metadataProvider: provider)
            },
            metadataProvider: .traceContext
        )
        return Logger(label: "payments")
    }
}

/// Prints one line to standard error and exits non-zero: how a bad setting stops start-up.
func exitWithConfigurationError(_ error: any Error) -> Never {
    FileHandle.standardError.write(Data("payments: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}

/// Loads the data keys for `database` and, when this created the SQLite key file, says so once on standard error:
/// whichever command starts first (`serve`, `migrate`, `admin`, `reseal`) creates it.
func loadDataKeys(environment: Environment, database: ServeConfiguration.Database) throws(ConfigurationError)
    -> DataKeyRing
{
    let loaded = try DataKeys.load(environment: environment, database: database)
    if let path = loaded.createdFile { announceCreatedKeyFile(path) }
    return loaded.ring
}

/// The notice of a key file created beside a SQLite database.
func announceCreatedKeyFile(_ path: String) {
    FileHandle.standardError.write(
        Data(
            """
            Created the data key file \(path) (readable by its owner only): it seals the account numbers in
            the database beside it. Back it up with the database; without it they cannot be read.

            """.utf8))
}
