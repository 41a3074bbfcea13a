/// Percentiles of a set of durations, by the nearest-rank method: the p-th percentile is the smallest sample that at
/// least p% of the samples do not exceed, so every reported value is one that was observed.
public struct LatencyStatistics: Sendable, Hashable {
    /// The samples, ascending.
    public let sorted: [Duration]

    /// Creates the statistics of `samples`.
    public init(_ samples: [Duration]) {
        self.sorted = samples.sorted()
    }

    /// How many samples there are.
    public var count: Int { sorted.count }

    /// The nearest-rank percentile for `fraction` in 0...1 (0.95 for p95); `nil` without samples.
    public func percentile(_ fraction: Double) -> Duration? {
        guard !sorted.isEmpty else { return nil }
        // The epsilon keeps 0.29 × 100 (29.000000000000004 in binary) at rank 29.
        let rank = Int((fraction * Double(sorted.count) - 1e-9).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    /// The median.
    public var p50: Duration? { percentile(0.50) }
    /// The 95th percentile.
    public var p95: Duration? { percentile(0.95) }
    /// The 99th percentile.
    public var p99: Duration? { percentile(0.99) }
    /// The largest sample.
    public var max: Duration? { sorted.last }
}
