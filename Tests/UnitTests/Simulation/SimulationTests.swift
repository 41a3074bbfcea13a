import PaymentsSimulation
import Testing

/// The deterministic simulation, short: a few seeds at both fault rates keep every invariant, a seed replays
/// exactly, and every deliberate bug is caught. The long runs are `scripts/bench/simulation.sh`.
@Suite("Deterministic simulation")
struct SimulationTests {
    @Test(
        "Seeds at realistic and hostile fault rates keep every invariant",
        arguments: [FaultProfile.realistic, .hostile])
    func invariantsHold(_ faults: FaultProfile) async throws {
        for seed: UInt64 in 1...3 {
            let report = try await Simulation(SimulationConfiguration(seed: seed, steps: 4_000, faults: faults)).run()
            #expect(report.violation == nil, "\(report.text)")
            #expect(report.payments > 100)
            #expect(report.statuses["initiated", default: 0] + report.statuses["processing", default: 0] == 0)
            // The run visited what it is for.
            #expect(report.faultCounts["bank timeout", default: 0] > 0)
            #expect(report.faultCounts["store transaction failed", default: 0] > 0)
            if faults.name == "hostile" { #expect(report.crashes > 0) }
        }
    }

    @Test("A seed replays the same run")
    func replays() async throws {
        let configuration = SimulationConfiguration(seed: 42, steps: 3_000, faults: .hostile)
        let first = try await Simulation(configuration).run()
        let second = try await Simulation(configuration).run()
        #expect(first.statuses == second.statuses)
        #expect(first.faultCounts == second.faultCounts)
        #expect(first.crashes == second.crashes)
    }

    @Test("Every deliberate bug is caught, with the command that replays it", arguments: SimulationMutation.allCases)
    func mutationsAreCaught(_ mutation: SimulationMutation) async throws {
        let report = try await Simulation(
            SimulationConfiguration(seed: 1, steps: 100_000, faults: .hostile, mutation: mutation)
        ).run()
        let violation = try #require(report.violation, "\(mutation.rawValue) was not caught")
        #expect(violation.step <= 100_000)
        // Stopped at the violation: the rate counts the steps taken, not the ones asked for.
        #expect(report.stepsTaken == violation.step)
        #expect(!violation.trace.isEmpty)
        #expect(report.replayCommand.hasSuffix("--mutation \(mutation.rawValue)"))
        #expect(violation.rule.contains(Self.expectedRule[mutation]!), "\(report.text)")
    }

    /// What each bug must be caught as: the rule meant for it, not another one it happens to break later.
    static let expectedRule: [SimulationMutation: String] = [
        .submitWithoutIdempotencyKey: "under a second identity",
        .failWithoutAskingTheBank: "while the bank's record says",
        .finishInTwoWrites: "initiated with no submission to move it",
        .forgetWebhookEventIDs: "webhook was applied twice",
    ]
}
