/// Comparisons whose time does not depend on where two secrets first differ.
public enum ConstantTime {
    /// Whether the two byte sequences are equal, looking at every byte of the longer one whatever matched.
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        let left = Array(lhs)
        let right = Array(rhs)
        var difference: UInt8 = left.count == right.count ? 0 : 1
        for index in 0..<max(left.count, right.count) {
            let leftByte = index < left.count ? left[index] : 0
            let rightByte = index < right.count ? right[index] : 0
            difference |= leftByte ^ rightByte
        }
        return difference == 0
    }

    /// Whether the two strings' UTF-8 bytes are equal (see ``equals(_:_:)-(Collection<UInt8>,_)``).
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(lhs.utf8, rhs.utf8)
    }
}
