import ArgumentParser
import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsSupport

/// `payments admin requeue`: puts dead-lettered jobs back in the queue, to run now with a fresh retry budget.
struct AdminRequeueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requeue",
        abstract: "Queue dead-lettered jobs again (by job id, or --all), to run now with a fresh retry budget.")

    @OptionGroup var options: AdminOptions
    @Argument(help: "Job ids, as `admin dead-letters` lists them.") var jobIDs: [String] = []
    @Flag(help: "Every dead-lettered job (of --kind, if given).") var all = false
    @Option(help: "With --all: only jobs of this kind.") var kind: JobKind?

    func validate() throws {
        guard all != !jobIDs.isEmpty else { throw ValidationError("give job ids or --all, not both") }
        guard kind == nil || all else { throw ValidationError("--kind goes with --all") }
        for id in jobIDs { _ = try identifier(id, naming: "each job id") }
    }

    func run() async throws {
        let ids = try jobIDs.map { try identifier($0, naming: "each job id") }
        let (requested, queued) = try await options.withStore { store, logger, _ -> (Int, Int) in
            var targets = ids
            if all { targets = try await store.deadLetteredJobs(kind: kind, limit: 1_000_000).map(\.id) }
            let queued = try await store.requeueDeadLetteredJobs(targets, now: Date())
            logger.notice("Dead-lettered jobs queued again", metadata: ["count": "\(queued)"])
            return (targets.count, queued)
        }
        if options.json {
            options.printJSON(.object(["requested": .integer(Int64(requested)), "queued": .integer(Int64(queued))]))
        } else {
            print("queued \(queued) of \(requested) job(s)" + (queued < requested ? " (the others were not dead)" : ""))
        }
    }
}
