import CoreMetrics
import Foundation
import Synchronization

/// A swift-metrics backend that keeps every series in memory, for `/metrics` (Prometheus text or OpenMetrics) and
/// for periodic export. Counters are cumulative; recorders that aggregate are histograms with buckets that suit
/// seconds; other recorders and meters are gauges. `destroy` removes a series.
public final class MetricsRegistry: MetricsFactory, Sendable {
    /// Upper bounds (seconds) of the histogram buckets: from a millisecond to an hour, so the same buckets fit a
    /// bank call and a payment's time to settle.
    public static let defaultBuckets: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
    ]

    private let buckets: [Double]
    private let exemplars: @Sendable () -> Exemplar.Context?
    private let series = Mutex<[SeriesKey: Series]>([:])

    /// Creates a registry; `exemplarContext` gives the sampled trace and span active when a value is recorded.
    public init(
        buckets: [Double] = MetricsRegistry.defaultBuckets,
        exemplarContext: @escaping @Sendable () -> Exemplar.Context? = { nil }
    ) {
        self.buckets = buckets.sorted()
        self.exemplars = exemplarContext
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handler(label, dimensions) { CounterSeries() } as! CounterSeries
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any FloatingPointCounterHandler
    {
        handler(label, dimensions) { CounterSeries() } as! CounterSeries
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        handler(label, dimensions) { GaugeSeries() } as! GaugeSeries
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            let exemplars = self.exemplars
            return handler(label, dimensions) { HistogramSeries(bounds: self.buckets, exemplarContext: exemplars) }
                as! HistogramSeries
        }
        return handler(label, dimensions) { GaugeSeries() } as! GaugeSeries
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let exemplars = self.exemplars
        return handler(label, dimensions) { HistogramSeries(bounds: self.buckets, exemplarContext: exemplars) }
            as! HistogramSeries
    }

    public func destroyCounter(_ handler: any CounterHandler) { remove(handler as AnyObject) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { remove(handler as AnyObject) }
    public func destroyMeter(_ handler: any MeterHandler) { remove(handler as AnyObject) }
    public func destroyRecorder(_ handler: any RecorderHandler) { remove(handler as AnyObject) }
    public func destroyTimer(_ handler: any TimerHandler) { remove(handler as AnyObject) }

    // MARK: Reading

    /// Every series now, grouped into families by name, sorted for stable output.
    public func snapshot() -> [MetricFamily] {
        let all = series.withLock { $0 }
        var families: [String: MetricFamily] = [:]
        for (key, series) in all {
            let sample = series.sample()
            var family = families[key.label] ?? MetricFamily(name: key.label, kind: sample.kind, samples: [])
            family.samples.append(
                MetricSample(labels: key.dimensions, value: sample.value, startTime: series.startTime))
            families[key.label] = family
        }
        return families.values.sorted { $0.name < $1.name }.map { family in
            var family = family
            family.samples.sort { $0.labels.lexicographicallyPrecedes($1.labels) { ($0.0, $0.1) < ($1.0, $1.1) } }
            return family
        }
    }

    private func handler(_ label: String, _ dimensions: [(String, String)], make: () -> Series) -> Series {
        let key = SeriesKey(label: label, dimensions: dimensions.sorted { $0.0 < $1.0 }.map { LabelPair($0.0, $0.1) })
        return series.withLock { series in
            if let existing = series[key] { return existing }
            let created = make()
            series[key] = created
            return created
        }
    }

    private func remove(_ handler: AnyObject) {
        series.withLock { series in
            if let key = series.first(where: { $0.value === handler })?.key { series.removeValue(forKey: key) }
        }
    }
}

/// A label name and value.
public struct LabelPair: Sendable, Hashable {
    /// The label's name.
    public var name: String
    /// Its value.
    public var value: String

    /// Creates a pair.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == LabelPair {
    func lexicographicallyPrecedes(_ other: [LabelPair], by less: ((String, String), (String, String)) -> Bool) -> Bool
    {
        self.map { ($0.name, $0.value) }.lexicographicallyPrecedes(other.map { ($0.name, $0.value) }, by: less)
    }
}

struct SeriesKey: Hashable, Sendable {
    var label: String
    var dimensions: [LabelPair]
}
