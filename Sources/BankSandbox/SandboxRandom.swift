import PaymentsSupport
import Synchronization

/// The sandbox's chances and identifiers: the system's generator, or a seeded one so that a simulation's bank makes
/// the same decisions every time its seed is replayed.
final class SandboxRandom: Sendable {
    private let seeded: Mutex<SeededRandomNumberGenerator?>

    /// The system's generator, or the sequence `seed` fixes.
    init(seed: UInt64? = nil) {
        seeded = Mutex(seed.map(SeededRandomNumberGenerator.init(seed:)))
    }

    private func next() -> UInt64 {
        seeded.withLock { generator in
            guard generator != nil else {
                var system = SystemRandomNumberGenerator()
                return system.next()
            }
            return generator!.next()
        }
    }

    func bytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            withUnsafeBytes(of: next()) { bytes.append(contentsOf: $0.prefix(count - bytes.count)) }
        }
        return bytes
    }

    func chance(_ rate: Double) -> Bool {
        guard rate > 0 else { return false }
        guard rate < 1 else { return true }
        return Double(next() >> 11) * 0x1p-53 < rate
    }

    func element<Element>(of elements: [Element]) -> Element {
        elements[Int(next() % UInt64(elements.count))]
    }

    func accessToken() -> String {
        Hex.encode(bytes(32))
    }

    func bankReference() -> String {
        "BNK-" + Hex.encode(bytes(6), uppercase: true)
    }

    func eventID() -> String {
        "evt_" + Hex.encode(bytes(16))
    }
}
