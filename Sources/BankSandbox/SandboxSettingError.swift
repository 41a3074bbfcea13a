/// A sandbox setting whose value cannot be used.
///
/// The ``description`` names the setting exactly as the operator wrote it (an environment variable such as
/// `SANDBOX_ERROR_RATE`, or a JSON key such as `error_rate` in `POST /sandbox/faults`) and says what a valid value
/// looks like. It never repeats the rejected value, so a value pasted into the wrong variable (a secret, say) does
/// not end up in logs.
///
/// ```swift
/// do {
///     _ = try SandboxFaults.fromEnvironment(["SANDBOX_ERROR_RATE": "2"], base: .none)
/// } catch {
///     print(error)  // SANDBOX_ERROR_RATE: must be a number between 0 and 1
/// }
/// ```
public struct SandboxSettingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The setting's name as the operator wrote it: an environment variable or a JSON key.
    public var setting: String
    /// What a valid value looks like.
    public var reason: String

    /// Creates an error for `setting`, explaining what a valid value looks like.
    ///
    /// ```swift
    /// let error = SandboxSettingError(setting: "SANDBOX_LATENCY_MS", reason: "must be a whole number of milliseconds")
    /// ```
    public init(setting: String, reason: String) {
        self.setting = setting
        self.reason = reason
    }

    /// One line naming the setting and what it must be, e.g. `SANDBOX_HANG_RATE: must be a number between 0 and 1`.
    public var description: String {
        "\(self.setting): \(self.reason)"
    }
}
