/// A process of the simulated deployment: one crashes and restarts as a whole, losing what it held in memory.
public enum SimulatedInstance: Hashable, Sendable, CustomStringConvertible {
    /// The HTTP front: client creates and bank webhooks.
    case api
    /// A job worker.
    case worker(Int)
    /// The reconciler.
    case reconciler

    public var description: String {
        switch self {
        case .api: "api"
        case .worker(let number): "worker-\(number)"
        case .reconciler: "reconciler"
        }
    }
}
