import Atomics
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
    // Whole increments (nearly all of them) are one atomic add on the caller's CPU stripe; fractional ones take a
    // lock.
    private let whole = StripedCells(cells: 1)
    private let fraction = Mutex<Double>(0)

    deinit { whole.deallocate() }

    func increment(by amount: Int64) { whole.add(UInt64(bitPattern: amount), to: 0) }
    func increment(by amount: Double) { fraction.withLock { $0 += amount } }
    func reset() {
        whole.reset()
        fraction.withLock { $0 = 0 }
    }

    override func sample() -> (kind: MetricFamily.Kind, value: MetricValue) {
        (.counter, .counter(Double(Int64(bitPattern: whole.sum(of: 0))) + fraction.withLock { $0 }))
    }
}

final class GaugeSeries: Series, RecorderHandler, MeterHandler, @unchecked Sendable {
    // A `Double`'s bits: a set is a store, an increment a compare-and-exchange.
    private let current = Atomic<UInt64>(0)

    func record(_ value: Int64) { record(Double(value)) }
    func record(_ value: Double) { current.store(value.bitPattern, ordering: .relaxed) }
    func set(_ value: Int64) { record(value) }
    func set(_ value: Double) { record(value) }
    func increment(by amount: Double) { add(amount) }
    func decrement(by amount: Double) { add(-amount) }

    private func add(_ amount: Double) {
        var bits = current.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = current.weakCompareExchange(
                expected: bits, desired: (Double(bitPattern: bits) + amount).bitPattern, ordering: .relaxed)
            if exchanged { return }
            bits = original
        }
    }

    override func sample() -> (kind: MetricFamily.Kind, value: MetricValue) {
        (.gauge, .gauge(Double(bitPattern: current.load(ordering: .relaxed))))
    }
}

final class HistogramSeries: Series, RecorderHandler, TimerHandler, @unchecked Sendable {
    // Upper bounds, ascending; read without bounds checks on the recording path.
    private let bounds: UnsafeMutableBufferPointer<Double>
    private let exemplarContext: @Sendable () -> Exemplar.Context?
    // One cell per bucket (the last is `+Inf`), then the sum, then per bucket the epoch of its last exemplar attempt;
    // the count is the buckets' total.
    private let cells: StripedCells
    private var sumCell: Int { bounds.count + 1 }
    private func epochCell(_ bucket: Int) -> Int { bounds.count + 2 + bucket }
    // The latest exemplar of each bucket, per stripe, so that recording one contends no more than the counts do.
    private let exemplars: [ExemplarSlots]
    private let epoch = ExemplarEpoch.current

    init(bounds: [Double], exemplarContext: @escaping @Sendable () -> Exemplar.Context?) {
        self.bounds = .allocate(capacity: bounds.count)
        _ = self.bounds.initialize(from: bounds)
        self.exemplarContext = exemplarContext
        cells = StripedCells(cells: 2 * (bounds.count + 1) + 1)
        exemplars = (0..<StripedCells.stripeCount).map { _ in ExemplarSlots(buckets: bounds.count + 1) }
    }

    deinit {
        cells.deallocate()
        bounds.deallocate()
    }

    func record(_ value: Int64) { record(Double(value)) }

    func record(_ value: Double) {
        // First bucket whose upper bound holds the value (Prometheus buckets are `le`, inclusive; NaN goes to +Inf),
        // by a binary search without branches on the value (a conditional move each step): bucket `count` is the
        // +Inf one, never read.
        var first = 0
        var length = bounds.count + 1
        while length > 1 {
            let half = length / 2
            first = !(value <= bounds[first + half - 1]) ? first + half : first
            length -= half
        }
        let stripe = cells.currentStripe()
        cells.add(1, to: first, stripe: stripe)
        cells.add(value, toDoubleCell: sumCell, stripe: stripe)
        // One exemplar attempt per bucket, stripe and epoch (see ExemplarEpoch).
        let now = epoch.load(ordering: .relaxed)
        if cells.load(epochCell(first), stripe: stripe) != now {
            cells.store(now, in: epochCell(first), stripe: stripe)
            if let context = exemplarContext() {
                exemplars[stripe].keep(Exemplar(context: context, value: value, time: Date()), bucket: first)
            }
        }
    }

    /// Timers report nanoseconds; the registry keeps seconds, the unit every duration metric here is named in.
    func recordNanoseconds(_ duration: Int64) { record(Double(duration) / 1e9) }

    override func sample() -> (kind: MetricFamily.Kind, value: MetricValue) {
        let counts = (0...bounds.count).map { cells.sum(of: $0) }
        var latest = [Exemplar?](repeating: nil, count: bounds.count + 1)
        for slots in exemplars {
            for (bucket, exemplar) in slots.all().enumerated() {
                guard let exemplar, exemplar.time >= latest[bucket]?.time ?? .distantPast else { continue }
                latest[bucket] = exemplar
            }
        }
        return (
            .histogram,
            .histogram(
                HistogramValue(
                    bounds: Array(bounds), counts: counts, sum: cells.doubleSum(of: sumCell),
                    count: counts.reduce(0, &+), exemplars: latest))
        )
    }
}

/// The latest exemplar of each bucket of one stripe of a histogram.
private final class ExemplarSlots: Sendable {
    private let slots: Mutex<[Exemplar?]>

    init(buckets: Int) {
        slots = Mutex(Array(repeating: nil, count: buckets))
    }

    func keep(_ exemplar: Exemplar, bucket: Int) { slots.withLock { $0[bucket] = exemplar } }
    func all() -> [Exemplar?] { slots.withLock { $0 } }
}
