import PaymentsSupport

/// Every OpenTelemetry environment variable the runtime reads, declared once with what a valid value is.
public enum TelemetrySettings {
    /// `OTEL_SDK_DISABLED`: `true` (in any case) turns tracing and every export off; any other value leaves them on,
    /// as the specification asks of an unrecognised boolean.
    public static let sdkDisabled = Setting<Bool>("OTEL_SDK_DISABLED", expecting: "true or false") {
        $0.lowercased() == "true"
    }
    /// `OTEL_SERVICE_NAME`
    public static let serviceName = Setting<String>.text("OTEL_SERVICE_NAME")
    /// `OTEL_RESOURCE_ATTRIBUTES`: `key=value,…`, percent-encoded.
    public static let resourceAttributes = keyValueList("OTEL_RESOURCE_ATTRIBUTES")
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL; each signal goes to `<base>/v1/<signal>`.
    public static let endpoint = Setting<String>.url("OTEL_EXPORTER_OTLP_ENDPOINT")
    /// `OTEL_EXPORTER_OTLP_HEADERS`: request headers for every signal, `key=value,…`, percent-encoded.
    public static let headers = keyValueList("OTEL_EXPORTER_OTLP_HEADERS", isSecret: true)
    /// `OTEL_EXPORTER_OTLP_COMPRESSION`: `gzip` or `none`.
    public static let compression = compressionSetting("OTEL_EXPORTER_OTLP_COMPRESSION")
    /// `OTEL_EXPORTER_OTLP_TIMEOUT`: milliseconds per export request.
    public static let timeout = Setting<Duration>.milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", in: 1...Int.max)
    /// `OTEL_EXPORTER_OTLP_PROTOCOL`: only `http/protobuf`.
    public static let exportProtocol = protocolSetting("OTEL_EXPORTER_OTLP_PROTOCOL")
    /// `OTEL_TRACES_SAMPLER`
    public static let sampler = Setting<String>.choice(
        "OTEL_TRACES_SAMPLER",
        [
            "always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio",
        ].map { ($0, $0) }
    )
    /// `OTEL_TRACES_SAMPLER_ARG`: the ratio of a ratio sampler.
    public static let samplerArgument = Setting<Double>.fraction("OTEL_TRACES_SAMPLER_ARG")
    /// `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between metric exports.
    public static let metricExportInterval = Setting<Duration>.milliseconds(
        "OTEL_METRIC_EXPORT_INTERVAL", in: 1...Int.max
    )
    /// `OTEL_METRIC_EXPORT_TIMEOUT`: milliseconds one metric export may take.
    public static let metricExportTimeout = Setting<Duration>.milliseconds(
        "OTEL_METRIC_EXPORT_TIMEOUT", in: 1...Int.max)

    /// The settings of one signal's exporter, which win over the shared ones.
    public struct SignalSettings: Sendable {
        /// `OTEL_<SIGNAL>_EXPORTER`: `otlp` or `none`.
        public let exporter: Setting<Bool>
        /// `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT`: the signal's full URL, used as is.
        public let endpoint: Setting<String>
        /// `OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS`
        public let headers: Setting<[(String, String)]>
        /// `OTEL_EXPORTER_OTLP_<SIGNAL>_COMPRESSION`
        public let compression: Setting<OTLPHTTPExporter.Compression>
        /// `OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT`
        public let timeout: Setting<Duration>
        /// `OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL`
        public let exportProtocol: Setting<String>

        init(_ signal: OTLPSignal) {
            let name = signal.rawValue.uppercased()
            exporter = .choice("OTEL_\(name)_EXPORTER", [("otlp", true), ("none", false)])
            endpoint = .url("OTEL_EXPORTER_OTLP_\(name)_ENDPOINT")
            headers = keyValueList("OTEL_EXPORTER_OTLP_\(name)_HEADERS", isSecret: true)
            compression = compressionSetting("OTEL_EXPORTER_OTLP_\(name)_COMPRESSION")
            timeout = .milliseconds("OTEL_EXPORTER_OTLP_\(name)_TIMEOUT", in: 1...Int.max)
            exportProtocol = protocolSetting("OTEL_EXPORTER_OTLP_\(name)_PROTOCOL")
        }

        var all: [any SettingDescription] { [exporter, endpoint, headers, compression, timeout, exportProtocol] }
    }

    /// The per-signal settings.
    public static func signal(_ signal: OTLPSignal) -> SignalSettings {
        switch signal {
        case .traces: traces
        case .metrics: metrics
        case .logs: logs
        }
    }

    private static let traces = SignalSettings(.traces)
    private static let metrics = SignalSettings(.metrics)
    private static let logs = SignalSettings(.logs)

    /// The batch processor settings under a prefix: `OTEL_BSP` for spans, `OTEL_BLRP` for log records.
    public struct BatchSettings: Sendable {
        /// `<prefix>_MAX_QUEUE_SIZE`
        public let maxQueueSize: Setting<Int>
        /// `<prefix>_MAX_EXPORT_BATCH_SIZE`
        public let maxExportBatchSize: Setting<Int>
        /// `<prefix>_SCHEDULE_DELAY`, milliseconds.
        public let scheduleDelay: Setting<Duration>
        /// `<prefix>_EXPORT_TIMEOUT`, milliseconds.
        public let exportTimeout: Setting<Duration>

        init(prefix: String) {
            maxQueueSize = .integer("\(prefix)_MAX_QUEUE_SIZE", in: 1...Int.max)
            maxExportBatchSize = .integer("\(prefix)_MAX_EXPORT_BATCH_SIZE", in: 1...Int.max)
            scheduleDelay = .milliseconds("\(prefix)_SCHEDULE_DELAY", in: 0...Int.max)
            exportTimeout = .milliseconds("\(prefix)_EXPORT_TIMEOUT", in: 1...Int.max)
        }

        var all: [any SettingDescription] { [maxQueueSize, maxExportBatchSize, scheduleDelay, exportTimeout] }
    }

    /// `OTEL_BSP_*`: the span processor.
    public static let spanBatch = BatchSettings(prefix: "OTEL_BSP")
    /// `OTEL_BLRP_*`: the log record processor.
    public static let logRecordBatch = BatchSettings(prefix: "OTEL_BLRP")

    /// The runtime's settings, for the reference documentation.
    public static let all: [any SettingDescription] =
        [
            sdkDisabled, serviceName, resourceAttributes, endpoint, headers, compression, timeout, exportProtocol,
            sampler, samplerArgument, metricExportInterval, metricExportTimeout,
        ] + OTLPSignal.allCases.flatMap { signal($0).all } + spanBatch.all + logRecordBatch.all

    private static func keyValueList(_ variable: String, isSecret: Bool = false) -> Setting<[(String, String)]> {
        Setting(variable, expecting: "a list of key=value pairs, percent-encoded", isSecret: isSecret) {
            OTLPKeyValueList.parse($0)
        }
    }

    private static func compressionSetting(_ variable: String) -> Setting<OTLPHTTPExporter.Compression> {
        .choice(variable, [("gzip", .gzip), ("none", .none)])
    }

    private static func protocolSetting(_ variable: String) -> Setting<String> {
        .choice(variable, [("http/protobuf", "http/protobuf")])
    }
}
