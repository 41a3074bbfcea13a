import Atomics
import Foundation

/// A counter a background thread advances every ``interval``: a histogram takes at most one exemplar per bucket,
/// CPU stripe and epoch, so that recording inside a span costs a comparison, not a service-context lookup, a clock
/// read and a lock (about 125 ns) every time. An exposition carries one exemplar per bucket and scrapes come seconds
/// apart, so an exemplar at most one epoch old loses nothing a reader can see.
enum ExemplarEpoch {
    /// Seconds between epochs.
    static let interval: TimeInterval = 0.1

    /// The current epoch, starting at 1 (a bucket's epoch cell starts at 0, so its first record takes an exemplar).
    /// Never deallocated; the thread advancing it starts with the first histogram.
    static let current: UnsafeAtomic<UInt64> = {
        let epoch = UnsafeAtomic<UInt64>.create(1)
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: interval)
                epoch.wrappingIncrement(ordering: .relaxed)
            }
        }
        thread.name = "exemplar-epoch"
        thread.start()
        return epoch
    }()
}
