import ArgumentParser
import PaymentsApp
import PaymentsCore
import PaymentsSupport

/// `payments admin dead-letters`: the jobs given up on, most recent first, with their reasons.
struct AdminDeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "List dead-lettered jobs with their reasons, most recent first.")

    @OptionGroup var options: AdminOptions
    @Option(help: "Only jobs of this kind: submit or erp_update.") var kind: JobKind?
    @Option(help: "At most this many (1 to 10000).") var limit = 100

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be from 1 to 10000") }
    }

    func run() async throws {
        let jobs = try await options.withStore { store, _, _ in
            try await store.deadLetteredJobs(kind: kind, limit: limit)
        }
        if options.json {
            options.printJSON(.array(jobs.map(PaymentInspection.json)))
        } else if jobs.isEmpty {
            print("no dead-lettered jobs")
        } else {
            print(PaymentInspection.deadLetterTable(jobs))
        }
    }
}

extension JobKind: ExpressibleByArgument {}
