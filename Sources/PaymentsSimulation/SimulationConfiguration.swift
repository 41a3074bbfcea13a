/// One run: its seed, its length, its faults and any deliberate bug.
public struct SimulationConfiguration: Sendable {
    public var seed: UInt64
    /// Steps with faults; the run then settles without them.
    public var steps: Int
    public var faults: FaultProfile
    public var mutation: SimulationMutation?
    /// Job worker processes.
    public var workers: Int
    /// Payments not yet final, at most; clients wait beyond it.
    public var maximumOpenPayments: Int

    /// Creates a configuration.
    public init(
        seed: UInt64, steps: Int, faults: FaultProfile = .realistic, mutation: SimulationMutation? = nil,
        workers: Int = 2, maximumOpenPayments: Int = 40
    ) {
        self.seed = seed
        self.steps = steps
        self.faults = faults
        self.mutation = mutation
        self.workers = workers
        self.maximumOpenPayments = maximumOpenPayments
    }
}
