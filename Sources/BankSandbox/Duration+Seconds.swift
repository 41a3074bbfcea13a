import Foundation

extension Duration {
    /// The duration in (fractional) seconds, for `Date` arithmetic.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = self.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
