import PaymentsSupport

/// Every environment variable the sandbox reads, declared once: `payments bank-sandbox` reads them all, the
/// orchestrator's embedded sandbox only the faults.
public enum SandboxSettings {
    /// `SANDBOX_HOST`: the address the standalone sandbox listens on.
    public static let host = Setting<String>.text("SANDBOX_HOST")
    /// `SANDBOX_PORT`: where the standalone sandbox listens.
    public static let port = Setting<Int>.integer("SANDBOX_PORT", in: 0...65535)
    /// `SANDBOX_WEBHOOK_URL`: where signed webhooks go.
    public static let webhookURL = Setting<String>.url("SANDBOX_WEBHOOK_URL")
    /// `BANK_WEBHOOK_SECRET`: the webhook signing secret; a comma-separated list during a rotation (the first signs).
    public static let webhookSecret = Setting<String>.text("BANK_WEBHOOK_SECRET", isSecret: true)
    /// `BANK_CLIENT_ID`: the OAuth2 client accepted by `POST /oauth/token`.
    public static let clientID = Setting<String>.text("BANK_CLIENT_ID")
    /// `BANK_CLIENT_SECRET`: its secret.
    public static let clientSecret = Setting<String>.text("BANK_CLIENT_SECRET", isSecret: true)
    /// `BANK_API_KEY`: the key accepted in `X-API-Key`.
    public static let apiKey = Setting<String>.text("BANK_API_KEY", isSecret: true)
    /// `SANDBOX_TLS_CERT`: serve HTTPS with this PEM certificate chain.
    public static let tlsCertificate = Setting<String>.readableFile("SANDBOX_TLS_CERT")
    /// `SANDBOX_TLS_KEY`: the certificate's PEM private key.
    public static let tlsKey = Setting<String>.readableFile("SANDBOX_TLS_KEY")
    /// `SANDBOX_TLS_CLIENT_CA`: the PEM CA certificates that sign acceptable client certificates.
    public static let tlsClientCA = Setting<String>.readableFile("SANDBOX_TLS_CLIENT_CA")

    /// `SANDBOX_PROCESSING_DELAY_MS`: time from acceptance until the payment is `processing`.
    public static let processingDelay = Setting<Int>.integer(
        "SANDBOX_PROCESSING_DELAY_MS", in: 0...SandboxFaults.maximumDelayMilliseconds, unit: "milliseconds")
    /// `SANDBOX_SETTLEMENT_DELAY_MS`: time from `processing` until the payment settles.
    public static let settlementDelay = Setting<Int>.integer(
        "SANDBOX_SETTLEMENT_DELAY_MS", in: 0...SandboxFaults.maximumDelayMilliseconds, unit: "milliseconds")

    /// `SANDBOX_<FAULT>`: each fault of ``SandboxFaults``, read as JSON of its kind (a rate, a whole number of
    /// milliseconds or seconds, or true/false) and then checked against its range.
    static func fault(_ key: SandboxFaults.CodingKeys) -> Setting<JSONValue> {
        let variable = key.environmentVariable
        switch key.kind {
        case .rate:
            return Setting<Double>.fraction(variable).map { .number($0) }
        case .milliseconds:
            return Setting<Int>.integer(variable, in: 0...SandboxFaults.maximumDelayMilliseconds, unit: "milliseconds")
                .map { .integer(Int64($0)) }
        case .seconds:
            return Setting<Int>.integer(variable, in: 1...SandboxFaults.maximumTokenTTLSeconds, unit: "seconds")
                .map { .integer(Int64($0)) }
        case .flag:
            return Setting<Bool>.flag(variable).map { .bool($0) }
        }
    }

    /// `SANDBOX_REQUIRE_CLIENT_CERT`, which a flag names when TLS is missing.
    public static let requireClientCert = fault(.requireClientCert)

    /// The sandbox's settings, for the reference documentation.
    public static let all: [any SettingDescription] =
        [
            host, port, webhookURL, webhookSecret, clientID, clientSecret, apiKey, tlsCertificate, tlsKey, tlsClientCA,
            processingDelay, settlementDelay,
        ] + SandboxFaults.CodingKeys.allCases.map(fault)
}
