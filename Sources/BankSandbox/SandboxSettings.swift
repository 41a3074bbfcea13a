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

    /// `SANDBOX_ERROR_RATE`
    public static let errorRate = Setting<Double>.fraction(fault(.errorRate))
    /// `SANDBOX_HANG_RATE`
    public static let hangRate = Setting<Double>.fraction(fault(.hangRate))
    /// `SANDBOX_LATENCY_MS`
    public static let latencyMs = delay(.latencyMs)
    /// `SANDBOX_RATE_LIMIT_RATE`
    public static let rateLimitRate = Setting<Double>.fraction(fault(.rateLimitRate))
    /// `SANDBOX_REJECT_RATE`
    public static let rejectRate = Setting<Double>.fraction(fault(.rejectRate))
    /// `SANDBOX_RETURN_RATE`
    public static let returnRate = Setting<Double>.fraction(fault(.returnRate))
    /// `SANDBOX_DUPLICATE_WEBHOOK_RATE`
    public static let duplicateWebhookRate = Setting<Double>.fraction(fault(.duplicateWebhookRate))
    /// `SANDBOX_REORDER_WEBHOOKS`
    public static let reorderWebhooks = Setting<Bool>.flag(fault(.reorderWebhooks))
    /// `SANDBOX_WEBHOOK_DELAY_MS`
    public static let webhookDelayMs = delay(.webhookDelayMs)
    /// `SANDBOX_TOKEN_TTL_SECONDS`
    public static let tokenTTLSeconds = Setting<Int>.integer(
        fault(.tokenTTLSeconds), in: 1...SandboxFaults.maximumTokenTTLSeconds, unit: "seconds"
    )
    /// `SANDBOX_REQUIRE_CLIENT_CERT`
    public static let requireClientCert = Setting<Bool>.flag(fault(.requireClientCert))

    /// The sandbox's settings, for the reference documentation.
    public static let all: [any SettingDescription] = [
        host, port, webhookURL, webhookSecret, clientID, clientSecret, apiKey, tlsCertificate, tlsKey, tlsClientCA,
        errorRate, hangRate, latencyMs, rateLimitRate, rejectRate, returnRate, duplicateWebhookRate, reorderWebhooks,
        webhookDelayMs, tokenTTLSeconds, requireClientCert,
    ]

    private static func fault(_ key: SandboxFaults.CodingKeys) -> String {
        key.environmentVariable
    }

    private static func delay(_ key: SandboxFaults.CodingKeys) -> Setting<Int> {
        .integer(fault(key), in: 0...SandboxFaults.maximumDelayMilliseconds, unit: "milliseconds")
    }
}
