import ArgumentParser
import Foundation
import PaymentsSimulation

/// `payments-simulator`: runs the orchestrator's real code in a seeded, simulated world full of faults, and checks
/// after every step that no payment breaks the rules money keeps.
@main
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments-simulator",
        abstract: "Deterministic simulation of the orchestrator, worker and reconciler under faults.",
        discussion: """
            Exits 0 when every invariant held, 1 when one broke (the report names the seed, the step, the events \
            that led there and the command that replays it exactly).
            """
    )

    @Option(help: "The seed: the same seed replays the same run.")
    var seed: UInt64 = 1

    @Option(help: "Steps with faults; the run then settles without them.")
    var steps: Int = 10_000

    @Option(help: "How often things go wrong: realistic, hostile or none.")
    var faults: String = "realistic"

    @Option(help: "Switch on one deliberate bug (see --list-mutations), to see the simulator catch it.")
    var mutation: String?

    @Option(help: "Run this many seeds, from --seed on.")
    var seeds: Int = 1

    @Flag(help: "Print the names of the deliberate bugs, one per line, and exit.")
    var listMutations = false

    func run() async throws {
        if listMutations {
            for mutation in SimulationMutation.allCases { print(mutation.rawValue) }
            return
        }
        guard let profile = FaultProfile.all.first(where: { $0.name == faults }) else {
            throw ValidationError("--faults must be one of: \(FaultProfile.all.map(\.name).joined(separator: ", "))")
        }
        var chosen: SimulationMutation?
        if let mutation {
            guard let known = SimulationMutation(rawValue: mutation) else {
                throw ValidationError("unknown mutation \(mutation); --list-mutations prints them")
            }
            chosen = known
        }
        guard steps > 0, seeds > 0 else { throw ValidationError("--steps and --seeds must be positive") }
        var failed = false
        for offset in 0..<seeds {
            let simulation = try await Simulation(
                SimulationConfiguration(seed: seed + UInt64(offset), steps: steps, faults: profile, mutation: chosen))
            let report = try await simulation.run()
            print(report.text)
            failed = failed || report.violation != nil
        }
        if failed { throw ExitCode(1) }
    }
}
