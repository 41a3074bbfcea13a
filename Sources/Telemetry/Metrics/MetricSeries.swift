import CoreMetrics
import Foundation
import Synchronization

/// One stored series; a class so that handlers handed out to swift-metrics update it in place.
class Series: @unchecked Sendable {
    /// When the series was created: the start of its cumulative values.
    let startTime = Date()

    func sample() -> (kind: MetricFamily.Kind, value: MetricValue) { fatalError("abstract") }
}

final class CounterSeries: Series, CounterHandler, FloatingPointCounterHandler, @unchecked Sendable {
    // Whole increments (nearly all of them) are one atomic add; fractional ones take a lock.
    private let whole = Atomic<Int64>(0)
    private let fraction = Mutex<Double>(0)

    func increment(by amount: Int64) { whole.wrappingAdd(amount, ordering: .relaxed) }
    func increment(by amount: Double) { fraction.withLock { $0 += amount } }
    func reset() {
        whole.store(0, ordering: .relaxed)
        fraction.withLock { $0 = 0 }
    }

    override func sample() -> (kind: MetricFamily.Kind, value: MetricValue) {
        (.counter, .counter(Double(whole.load(ordering: .relaxed)) + fraction.withLock { $0 }))
    }
}

final class GaugeSeries: Series, RecorderHandler, MeterHandler, @unchecked Sendable {
    private let current = Mutex<Double>(0)

    func record(_ value: Int64) { current.withLock { $0 = Double(value) } }
    func record(_ value: Double) { current.withLock { $0 = value } }
    func set(_ value: Int64) { record(value) }
    func set(_ value: Double) { record(value) }
    func increment(by amount: Double) { current.withLock { $0 += amount } }
    func decrement(by amount: Double) { current.withLock { $0 -= amount } }

    override func sample() -> (kind: MetricFamily.Kind, value: MetricValue) {
        (.gauge, .gauge(current.withLock { $0 }))
    }
}

final class HistogramSeries: Series, RecorderHandler, TimerHandler, @unchecked Sendable {
    private struct State {
        var counts: [UInt64]
        var exemplars: [Exemplar?]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private let bounds: [Double]
    private let exemplarContext: @Sendable () -> Exemplar.Context?
    private let state: Mutex<State>

    init(bounds: [Double], exemplarContext: @escaping @Sendable () -> Exemplar.Context?) {
        self.bounds = bounds
        self.exemplarContext = exemplarContext
        self.state = Mutex(
            State(
                counts: Array(repeating: 0, count: bounds.count + 1),
                exemplars: Array(repeating: nil, count: bounds.count + 1)))
    }

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        // First bucket whose upper bound holds the value (Prometheus buckets are `le`, inclusive).
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if value <= bounds[middle] { high = middle } else { low = middle + 1 }
        }
        let exemplar = exemplarContext().map { Exemplar(context: $0, value: value, time: Date()) }
        state.withLock { state in
            state.counts[low] += 1
            state.sum += value
            state.count += 1
            if let exemplar { state.exemplars[low] = exemplar }
        }
    }

    /// Timers report nanoseconds; the registry keeps seconds, the unit every duration metric here is named in.
    func recordNanoseconds(_ duration: Int64) { record(Double(duration) / 1e9) }

    override func sample() -> (kind: MetricFamily.Kind, value: MetricValue) {
        let state = state.withLock { $0 }
        return (
            .histogram,
            .histogram(
                HistogramValue(
                    bounds: bounds, counts: state.counts, sum: state.sum, count: state.count, exemplars: state.exemplars
                ))
        )
    }
}
