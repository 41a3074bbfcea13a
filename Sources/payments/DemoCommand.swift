import ArgumentParser
import Foundation
import PaymentsCore
import PaymentsDemo
import PaymentsSupport
import UnixSignals

/// `payments demo`: drives payments through a running server with a progress bar and prints a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Drive payments through a running server with a progress bar and print a summary.",
        discussion: """
            Sends --count payments to the server (bank accounts and Zelle by e-mail and phone, each with its own \
            client_ref DEMO-<run-id>-<n> and Idempotency-Key), a --bad-request-share of them deliberately invalid \
            (bad routing number, negative amount, unknown currency, invalid e-mail), which must be answered 422. It \
            then polls the accepted payments until each is completed, returned or failed, or --wait passes. \
            Progress goes to standard error (redrawn in place on a terminal); the summary (answers, final statuses, \
            notifications, latency percentiles) goes to standard output.

            With --notifications (the default when the server is on loopback) it also registers a webhook endpoint \
            of its own on 127.0.0.1, verifies the signature of every event the server pushes there, checks that \
            each settled payment's final status was notified, and deletes the endpoint at the end. A server that \
            cannot take the endpoint leaves the run going without, with one line saying why.

            Exit status: 0 when every answer was the expected one and every accepted payment settled (and, with \
            notifications, was notified, every signature valid); 1 when anything unexpected happened, a payment did \
            not settle within --wait, or the server cannot be reached or refuses the key; 130 when interrupted (the \
            summary of what was seen is still printed).
            """
    )

    @Option(
        help: ArgumentHelp(
            "The server's base URL (PAYMENTS_URL; default \(DemoConfiguration.defaultURL)).", valueName: "url"))
    var url: String?

    @Option(
        help: ArgumentHelp(
            "Client API key (PAYMENTS_API_KEY, better: a flag shows in the process list).", valueName: "key"))
    var apiKey: String?

    @Option(help: "Payment requests to send.")
    var count = 100

    @Option(help: "Requests in flight at once.")
    var concurrency = 8

    @Option(help: "Share (0 to 1) of deliberately invalid requests, each expected to be answered 422.")
    var badRequestShare = 0.1

    @Option(
        help: ArgumentHelp("Seconds to wait for accepted payments to settle (0: do not wait).", valueName: "seconds"))
    var wait = 60.0

    @Option(help: ArgumentHelp("Run id used in client_refs DEMO-<run-id>-<n> (default: random).", valueName: "id"))
    var runID: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Receive and verify the server's signed event notifications (default: on when the server is on loopback)."
    )
    var notifications: Bool?

    func validate() throws {
        _ = try makeConfiguration()
    }

    /// The settings: each flag, else its variable, else the default. A bad one is a usage error naming it.
    private func makeConfiguration() throws -> DemoConfiguration {
        let environment = Environment.process
        guard wait.isFinite, (0...86_400).contains(wait) else {
            throw ValidationError("--wait must be from 0 to 86400 seconds")
        }
        do throws(ConfigurationError) {
            var urlText = try environment.value(DemoSettings.url, default: DemoConfiguration.defaultURL)
            if let url { urlText = url }
            var key = try environment.value(DemoSettings.apiKey, default: "")
            if let apiKey { key = apiKey }
            return try DemoConfiguration(
                url: urlText, apiKey: key, count: count, concurrency: concurrency, badRequestShare: badRequestShare,
                wait: .timeInterval(wait), runID: runID, notifications: notifications
            )
        } catch {
            // Name the variable when the value came from it.
            let setting = error.setting == "--url" && url == nil ? "PAYMENTS_URL" : error.setting
            throw ValidationError("\(setting) \(error.reason)")
        }
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        let bar = ProgressBar.standardError()
        let demo = PaymentsDemo(configuration: configuration)
        // The first SIGINT or SIGTERM cancels the run, which then returns what it saw so far.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let outcome = await withTaskGroup(of: Result<DemoSummary, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await demo.run(progress: bar.update)) } catch { return .failure(error) }
            }
            group.addTask {
                for await _ in signals { break }
                return nil
            }
            var outcome: Result<DemoSummary, any Error> = .failure(CancellationError())
            while let next = await group.next() {
                group.cancelAll()  // the run ended (stop watching signals) or a signal came (stop the run)
                if let next { outcome = next }
            }
            return outcome
        }
        bar.finish()

        let summary: DemoSummary
        do {
            summary = try outcome.get()
        } catch let error as DemoError {
            FileHandle.standardError.write(Data("payments demo: \(error)\n".utf8))
            throw ExitCode.failure
        }
        FileHandle.standardOutput.write(Data(summary.text.utf8))
        if summary.interrupted { throw ExitCode(130) }
        if !summary.succeeded { throw ExitCode.failure }
    }
}
