import PaymentsSupport

extension OTLPHTTPExporter.Configuration {
    /// The exporter the standard OpenTelemetry variables describe (see ``TelemetrySettings``): a signal is exported
    /// when it has an endpoint, its own `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` used as is or
    /// `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/<signal>`, and `OTEL_<SIGNAL>_EXPORTER` is not `none`; a signal's own
    /// headers, compression and timeout win over the shared ones. `OTEL_SDK_DISABLED=true` exports nothing.
    ///
    /// With no endpoint variable nothing is exported (unlike the specification's `localhost:4318` default: a service
    /// that was not told where a collector is should not try to reach one).
    ///
    /// - Throws: ``ConfigurationError`` naming the first variable that cannot be used (never its value).
    public init(environment: Environment, retry: OTLPHTTPExporter.RetryPolicy = .default) throws(ConfigurationError) {
        self.init(retry: retry)
        if try environment.value(TelemetrySettings.sdkDisabled) == true { return }
        let base = try environment.value(TelemetrySettings.endpoint)
        let sharedHeaders = try environment.value(TelemetrySettings.headers) ?? []
        let sharedCompression = try environment.value(TelemetrySettings.compression)
        let sharedTimeout = try environment.value(TelemetrySettings.timeout)
        _ = try environment.value(TelemetrySettings.exportProtocol)
        for signal in OTLPSignal.allCases {
            let settings = TelemetrySettings.signal(signal)
            guard try environment.value(settings.exporter, default: true) else { continue }
            let url: String
            if let own = try environment.value(settings.endpoint) {
                url = own
            } else if let base {
                url = (base.hasSuffix("/") ? base : base + "/") + "v1/\(signal.rawValue)"
            } else {
                continue
            }
            _ = try environment.value(settings.exportProtocol)
            var headers: [String: String] = [:]
            for (name, value) in sharedHeaders + (try environment.value(settings.headers) ?? []) {
                headers[name] = value
            }
            let endpoint = OTLPHTTPExporter.Endpoint(
                url: url, headers: headers,
                compression: try environment.value(settings.compression) ?? sharedCompression ?? .none,
                timeout: try environment.value(settings.timeout) ?? sharedTimeout ?? .seconds(10)
            )
            switch signal {
            case .traces: traces = endpoint
            case .metrics: metrics = endpoint
            case .logs: logs = endpoint
            }
        }
    }
}
