extension OTLPHTTPExporter.Configuration {
    /// Reads the standard OpenTelemetry exporter variables from `environment`:
    ///
    /// - `OTEL_EXPORTER_OTLP_ENDPOINT`: a base URL; signals are sent to `<base>/v1/traces`, `/v1/metrics`,
    ///   `/v1/logs`.
    /// - `OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT`: one signal's full URL, used as is; wins over the base.
    /// - `OTEL_EXPORTER_OTLP_HEADERS` and `OTEL_EXPORTER_OTLP_{SIGNAL}_HEADERS`: `k=v,k2=v2`, percent-decoded; the
    ///   signal's own entries win.
    /// - `OTEL_EXPORTER_OTLP_COMPRESSION` and `..._{SIGNAL}_COMPRESSION`: `gzip` or `none`.
    /// - `OTEL_EXPORTER_OTLP_TIMEOUT` and `..._{SIGNAL}_TIMEOUT`: milliseconds per request, default 10000.
    /// - `OTEL_EXPORTER_OTLP_PROTOCOL` and `..._{SIGNAL}_PROTOCOL`: only `http/protobuf` is supported.
    /// - `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER`, `OTEL_LOGS_EXPORTER`: `otlp` (the default) or `none`,
    ///   which turns that signal's export off.
    /// - `OTEL_SDK_DISABLED=true`: nothing is exported.
    ///
    /// With no endpoint variable, nothing is exported (unlike the specification's `localhost:4318` default: a
    /// service that was not told where a collector is should not try to reach one).
    ///
    /// ```swift
    /// let configuration = try OTLPHTTPExporter.Configuration(environment: [
    ///     "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
    ///     "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
    /// ])
    /// configuration.traces?.url   // "http://collector:4318/v1/traces"
    /// ```
    ///
    /// - Throws: ``TelemetryConfigurationError`` naming the first variable that cannot be used (never its value).
    public init(
        environment: [String: String], retry: OTLPHTTPExporter.RetryPolicy = .default
    ) throws(TelemetryConfigurationError) {
        self.init(retry: retry)
        if environment["OTEL_SDK_DISABLED"]?.trimmingSpaces.lowercased() == "true" { return }
        var base: String?
        if let value = Self.value("OTEL_EXPORTER_OTLP_ENDPOINT", in: environment) {
            base = try Self.validatedURL(value, setting: "OTEL_EXPORTER_OTLP_ENDPOINT")
        }
        for signal in OTLPSignal.allCases {
            let selector = "OTEL_\(signal.rawValue.uppercased())_EXPORTER"
            switch Self.value(selector, in: environment)?.lowercased() {
            case nil, "otlp": break
            case "none": continue
            default: throw TelemetryConfigurationError(setting: selector, reason: "must be otlp or none")
            }
            let prefix = "OTEL_EXPORTER_OTLP_\(signal.rawValue.uppercased())"
            let url: String
            if let own = Self.value("\(prefix)_ENDPOINT", in: environment) {
                url = try Self.validatedURL(own, setting: "\(prefix)_ENDPOINT")
            } else if let base {
                url = (base.hasSuffix("/") ? base : base + "/") + "v1/\(signal.rawValue)"
            } else {
                continue
            }
            for setting in ["OTEL_EXPORTER_OTLP_PROTOCOL", "\(prefix)_PROTOCOL"] {
                if let value = Self.value(setting, in: environment), value != "http/protobuf" {
                    throw TelemetryConfigurationError(setting: setting, reason: "only http/protobuf is supported")
                }
            }
            var headers: [String: String] = [:]
            for setting in ["OTEL_EXPORTER_OTLP_HEADERS", "\(prefix)_HEADERS"] {
                guard let value = Self.value(setting, in: environment) else { continue }
                for (name, headerValue) in try OTLPKeyValueList.parse(value, setting: setting) {
                    headers[name] = headerValue
                }
            }
            var compression = OTLPHTTPExporter.Compression.none
            for setting in ["OTEL_EXPORTER_OTLP_COMPRESSION", "\(prefix)_COMPRESSION"] {
                guard let value = Self.value(setting, in: environment) else { continue }
                guard let parsed = OTLPHTTPExporter.Compression(rawValue: value.lowercased()) else {
                    throw TelemetryConfigurationError(setting: setting, reason: "must be gzip or none")
                }
                compression = parsed
            }
            var timeout = Duration.seconds(10)
            for setting in ["OTEL_EXPORTER_OTLP_TIMEOUT", "\(prefix)_TIMEOUT"] {
                guard let value = Self.value(setting, in: environment) else { continue }
                guard let milliseconds = Int64(value), milliseconds > 0 else {
                    throw TelemetryConfigurationError(
                        setting: setting, reason: "must be a positive whole number of milliseconds")
                }
                timeout = .milliseconds(milliseconds)
            }
            let endpoint = OTLPHTTPExporter.Endpoint(
                url: url, headers: headers, compression: compression, timeout: timeout)
            switch signal {
            case .traces: traces = endpoint
            case .metrics: metrics = endpoint
            case .logs: logs = endpoint
            }
        }
    }

    /// A variable's trimmed value, treating empty as unset (as the specification asks).
    private static func value(_ name: String, in environment: [String: String]) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }

    private static func validatedURL(_ value: String, setting: String) throws(TelemetryConfigurationError) -> String {
        let lowered = value.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
            value.split(separator: "/", omittingEmptySubsequences: true).count >= 2
        else {
            throw TelemetryConfigurationError(setting: setting, reason: "must be an http:// or https:// URL")
        }
        return value
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
