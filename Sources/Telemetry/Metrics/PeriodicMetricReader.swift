import Foundation
import PaymentsSupport
import ServiceLifecycle

/// Exports a ``MetricsRegistry`` over OTLP on a fixed interval, per the OpenTelemetry SDK's periodic exporting
/// metric reader: cumulative temporality, one export at a time, each bounded by the export timeout, and a last
/// export on graceful shutdown bounded by `shutdownTimeout`, whatever the collector does.
///
/// A series that disappears from the registry (a gauge destroyed when its subject went away) is exported once more
/// with the *no recorded value* flag, so that the backend ends it instead of showing its last value until it
/// expires.
public final class PeriodicMetricReader: Service, Sendable, CustomStringConvertible {
    /// When and for how long to export.
    public struct Configuration: Sendable, Hashable {
        /// Time between the start of one export and the next (`OTEL_METRIC_EXPORT_INTERVAL` in milliseconds, 60 s).
        public var interval: Duration
        /// Longest one export may take, retries included (`OTEL_METRIC_EXPORT_TIMEOUT` in milliseconds, 30 s).
        public var timeout: Duration
        /// Longest the last export may take once graceful shutdown begins (5 s).
        public var shutdownTimeout: Duration

        /// The specification's defaults.
        public static let `default` = Configuration()

        /// Creates a configuration.
        public init(
            interval: Duration = .seconds(60), timeout: Duration = .seconds(30), shutdownTimeout: Duration = .seconds(5)
        ) {
            self.interval = interval
            self.timeout = timeout
            self.shutdownTimeout = shutdownTimeout
        }

        /// The reader `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_METRIC_EXPORT_TIMEOUT` (milliseconds) describe over
        /// `defaults`.
        ///
        /// - Throws: ``ConfigurationError`` naming a variable that is not a positive whole number.
        public init(environment: Environment, defaults: Configuration = .default) throws(ConfigurationError) {
            self.init(
                interval: try environment.value(TelemetrySettings.metricExportInterval, default: defaults.interval),
                timeout: try environment.value(TelemetrySettings.metricExportTimeout, default: defaults.timeout),
                shutdownTimeout: defaults.shutdownTimeout
            )
        }
    }

    /// The settings in use.
    public let configuration: Configuration
    private let registry: MetricsRegistry
    private let exporter: OTLPHTTPExporter
    private let resource: OTLPResource
    private let scope: OTLPInstrumentationScope
    private let descriptions: [String: String]

    /// Creates a reader; `descriptions` gives each metric's description, as `# HELP` does on `/metrics`. The caller
    /// owns `exporter` and shuts it down after the reader stopped.
    public init(
        registry: MetricsRegistry, exporter: OTLPHTTPExporter, resource: OTLPResource, scope: OTLPInstrumentationScope,
        descriptions: [String: String] = [:], configuration: Configuration = .default
    ) {
        self.registry = registry
        self.exporter = exporter
        self.resource = resource
        self.scope = scope
        self.descriptions = descriptions
        self.configuration = configuration
    }

    /// A name for service-group logs.
    public var description: String { "PeriodicMetricReader" }

    /// Exports every interval until graceful shutdown, then once more. Cancellation stops it at once.
    public func run() async throws {
        var previous: [SeriesKey: MetricFamily.Kind] = [:]
        let clock = ContinuousClock()
        var next = clock.now.advanced(by: configuration.interval)
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let wakeUp = next
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(until: wakeUp) }
            } catch {
                break
            }
            // Intervals are measured from start to start; an export that overran skips the ticks it missed.
            next = next.advanced(by: configuration.interval)
            while next <= clock.now { next = next.advanced(by: configuration.interval) }
            await exportOnce(previous: &previous, deadline: clock.now.advanced(by: configuration.timeout))
        }
        guard !Task.isCancelled else { return }
        // Not cancelled by the group's shutdown: it runs to its own deadline.
        let deadline = clock.now.advanced(by: min(configuration.timeout, configuration.shutdownTimeout))
        await exportOnce(previous: &previous, deadline: deadline)
    }

    /// One export of everything in the registry now; failures are the exporter's to count.
    private func exportOnce(previous: inout [SeriesKey: MetricFamily.Kind], deadline: ContinuousClock.Instant) async {
        let now = Date()
        let families = registry.snapshot()
        var metrics = families.map {
            $0.otlpMetric(resource: resource, scope: scope, observedAt: now, description: descriptions[$0.name] ?? "")
        }
        var current: [SeriesKey: MetricFamily.Kind] = [:]
        for family in families {
            for sample in family.samples {
                current[SeriesKey(label: family.name, dimensions: sample.labels)] = family.kind
            }
        }
        metrics += endedSeries(previous.filter { current[$0.key] == nil }, at: now)
        previous = current
        _ = try? await exporter.export(metrics, deadline: deadline)
    }

    /// One point per vanished series with the *no recorded value* flag set.
    private func endedSeries(_ ended: [SeriesKey: MetricFamily.Kind], at time: Date) -> [OTLPMetricData] {
        let noRecordedValue: UInt32 = 1
        let now = time.unixNanoseconds
        return Dictionary(grouping: ended, by: \.key.label).sorted { $0.key < $1.key }.compactMap { name, series in
            guard let kind = series.first?.value else { return nil }
            let points = series.map { entry in
                OTLPNumberDataPoint(
                    attributes: OTLPAttributes(
                        entry.key.dimensions.map { ($0.name, OTLPAttributeValue.string($0.value)) }),
                    timeUnixNano: now, value: .double(0), flags: noRecordedValue)
            }
            let data: OTLPMetricData.Data
            switch kind {
            case .counter: data = .sum(isMonotonic: true, points: points)
            case .gauge: data = .gauge(points: points)
            case .histogram:
                data = .histogram(
                    points: points.map {
                        OTLPHistogramDataPoint(
                            attributes: $0.attributes, startTimeUnixNano: 0, timeUnixNano: now, count: 0, sum: nil,
                            bucketCounts: [], explicitBounds: [], flags: noRecordedValue)
                    })
            }
            return OTLPMetricData(
                resource: resource, scope: scope, name: name, description: descriptions[name] ?? "",
                unit: MetricFamily.unit(of: name), data: data)
        }
    }
}
