/// What this service accepts as a single payment.
public struct PaymentLimits: Sendable, Hashable {
    /// Largest amount in minor units of one payment.
    public var maximumMinorUnits: Int64
    /// Currencies the partner bank pays out in.
    public var supportedCurrencies: Set<String>

    /// Creates limits.
    public init(maximumMinorUnits: Int64, supportedCurrencies: Set<String>) {
        self.maximumMinorUnits = maximumMinorUnits
        self.supportedCurrencies = supportedCurrencies
    }

    /// USD only (ACH and Zelle are US dollar rails), at most 10,000,000.00 per payment.
    public static let `default` = PaymentLimits(maximumMinorUnits: 1_000_000_000, supportedCurrencies: ["USD"])
}
