import PaymentsSupport

extension BankSandboxConfiguration {
    /// The standalone sandbox's settings from the environment over the documented defaults; webhooks go to
    /// `http://127.0.0.1:8080/webhook/payments` unless `SANDBOX_WEBHOOK_URL` says otherwise.
    ///
    /// TLS is not read here: whether a client CA is required depends on `require_client_cert`, which a flag may
    /// still change (see ``TLS/init(environment:clientCertificateRequired:)``).
    ///
    /// - Throws: ``ConfigurationError`` naming the first variable whose value cannot be used.
    public init(environment: Environment) throws(ConfigurationError) {
        self.init()
        host = try environment.value(SandboxSettings.host, default: host)
        port = try environment.value(SandboxSettings.port, default: port)
        webhookURL = try environment.value(SandboxSettings.webhookURL) ?? "http://127.0.0.1:8080/webhook/payments"
        webhookSecret = try environment.value(SandboxSettings.webhookSecret, default: webhookSecret)
        clientID = try environment.value(SandboxSettings.clientID, default: clientID)
        clientSecret = try environment.value(SandboxSettings.clientSecret, default: clientSecret)
        apiKey = try environment.value(SandboxSettings.apiKey, default: apiKey)
        if let milliseconds = try environment.value(SandboxSettings.processingDelay) {
            processingDelay = .milliseconds(milliseconds)
        }
        if let milliseconds = try environment.value(SandboxSettings.settlementDelay) {
            settlementDelay = .milliseconds(milliseconds)
        }
        faults = try SandboxFaults(environment: environment, base: faults)
    }
}

extension BankSandboxConfiguration.TLS {
    /// `SANDBOX_TLS_CERT`, `SANDBOX_TLS_KEY` and `SANDBOX_TLS_CLIENT_CA`; `nil` (plain HTTP) when none is set.
    ///
    /// - Parameter requiredBy: The setting that asked for client certificates, named when TLS is missing.
    /// - Throws: ``ConfigurationError`` when a file is unreadable, the certificate and key are not both given, or
    ///   client certificates are required without TLS or without a client CA.
    public init?(
        environment: Environment, clientCertificateRequired: Bool, requiredBy: String = "SANDBOX_REQUIRE_CLIENT_CERT"
    ) throws(ConfigurationError) {
        let certificate = try environment.value(SandboxSettings.tlsCertificate)
        let key = try environment.value(SandboxSettings.tlsKey)
        let clientCA = try environment.value(SandboxSettings.tlsClientCA)
        guard let certificate, let key else {
            if certificate != nil || key != nil {
                let (missing, given) =
                    certificate == nil
                    ? ("SANDBOX_TLS_CERT", "SANDBOX_TLS_KEY") : ("SANDBOX_TLS_KEY", "SANDBOX_TLS_CERT")
                throw ConfigurationError(setting: missing, reason: "is required with \(given)")
            }
            if clientCA != nil {
                throw ConfigurationError(
                    setting: "SANDBOX_TLS_CLIENT_CA", reason: "needs SANDBOX_TLS_CERT and SANDBOX_TLS_KEY"
                )
            }
            if clientCertificateRequired {
                throw ConfigurationError(
                    setting: requiredBy,
                    reason: "needs TLS: set SANDBOX_TLS_CERT, SANDBOX_TLS_KEY and SANDBOX_TLS_CLIENT_CA"
                )
            }
            return nil
        }
        if clientCertificateRequired && clientCA == nil {
            throw ConfigurationError(
                setting: "SANDBOX_TLS_CLIENT_CA", reason: "is required when client certificates are required"
            )
        }
        self.init(certificateChainPath: certificate, privateKeyPath: key, clientCAPath: clientCA)
    }
}
