import PaymentsSupport

/// The environment variables `payments demo` reads; its flags win over them.
public enum DemoSettings {
    /// `PAYMENTS_URL`: the server's base URL.
    public static let url = Setting<String>.text("PAYMENTS_URL")
    /// `PAYMENTS_API_KEY`: the client API key (safer than `--api-key`, which shows in the process list).
    public static let apiKey = Setting<String>.text("PAYMENTS_API_KEY", isSecret: true)

    /// The demo's settings, for the reference documentation.
    public static let all: [any SettingDescription] = [url, apiKey]
}
