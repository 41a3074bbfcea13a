/// An amount of money in integer minor units of an ISO 4217 currency. Never floating point.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    /// The amount in the currency's minor unit (cents for USD).
    public let minorUnits: Int64
    /// The currency the amount is in.
    public let currency: Currency

    /// Creates an amount; it is not validated here (see ``PaymentLimits``).
    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// `USD 12.50`: for humans and logs, never parsed back.
    public var description: String {
        guard currency.minorUnits > 0 else { return "\(currency.code) \(minorUnits)" }
        var divisor: Int64 = 1
        for _ in 0..<currency.minorUnits { divisor *= 10 }
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let fraction = String(magnitude % UInt64(divisor))
        let padded = String(repeating: "0", count: currency.minorUnits - fraction.count) + fraction
        return "\(currency.code) \(sign)\(magnitude / UInt64(divisor)).\(padded)"
    }
}
