import Foundation
import Synchronization

/// The simulated world's time: it moves only when the simulation moves it.
final class SimulationClock: Sendable {
    private let current: Mutex<Date>

    init(start: Date) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
