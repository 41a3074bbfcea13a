import Foundation

extension Duration {
    /// The duration in (fractional) seconds, for `Date` arithmetic and seconds-valued metrics.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded towards zero.
    public var wholeMilliseconds: Int64 { scaled(by: 1_000) }

    /// Whole microseconds, rounded towards zero.
    public var wholeMicroseconds: Int64 { scaled(by: 1_000_000) }

    /// Whole nanoseconds, rounded towards zero, saturating at the bounds of `Int64`.
    public var wholeNanoseconds: Int64 { scaled(by: 1_000_000_000) }

    /// A duration of `interval` seconds, to the nanosecond.
    public static func timeInterval(_ interval: TimeInterval) -> Duration {
        .nanoseconds(Int64((interval * 1e9).rounded()))
    }

    private func scaled(by unitsPerSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: unitsPerSecond)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = product.addingReportingOverflow(
            attoseconds / (1_000_000_000_000_000_000 / unitsPerSecond))
        if sumOverflow { return seconds < 0 ? .min : .max }
        return sum
    }
}
