import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unpredictable bytes from the operating system's generator, fetched 4 KiB at a time.
///
/// Payment and job ids and new trace contexts are made on every request; asking the kernel for each one costs a
/// system call per id (`UUID()` even opens and closes `/dev/urandom`). The bytes handed out here are the kernel's
/// (`/dev/urandom`, kept open), in order, each used once: as unpredictable as asking for them one id at a time.
public enum SecureRandom {
    private struct Pool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var next = 4096

        mutating func take(into destination: UnsafeMutableRawBufferPointer) {
            var filled = 0
            while filled < destination.count {
                if next == buffer.count { refill() }
                let count = min(destination.count - filled, buffer.count - next)
                buffer.withUnsafeBytes { source in
                    destination.baseAddress!.advanced(by: filled)
                        .copyMemory(from: source.baseAddress!.advanced(by: next), byteCount: count)
                }
                // Used bytes are wiped so that they are never handed out, or left in memory, twice.
                buffer.withUnsafeMutableBytes { bytes in
                    bytes.baseAddress!.advanced(by: next).initializeMemory(as: UInt8.self, repeating: 0, count: count)
                }
                next += count
                filled += count
            }
        }

        private mutating func refill() {
            buffer.withUnsafeMutableBytes { bytes in
                #if canImport(Glibc)
                    // Glibc's Swift module does not export getrandom(2); /dev/urandom, opened once, is the same source.
                    var filled = 0
                    while filled < bytes.count {
                        let count = read(Self.urandom, bytes.baseAddress!.advanced(by: filled), bytes.count - filled)
                        if count > 0 {
                            filled += count
                        } else if count == 0 || errno != EINTR {
                            fatalError("reading /dev/urandom failed: errno \(errno)")
                        }
                    }
                #else
                    arc4random_buf(bytes.baseAddress!, bytes.count)
                #endif
            }
            next = 0
        }

        #if canImport(Glibc)
            private static let urandom: Int32 = {
                let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { fatalError("cannot open /dev/urandom: errno \(errno)") }
                return descriptor
            }()
        #endif
    }

    private static let pool = Mutex(Pool())

    /// Fills `destination` with random bytes.
    public static func fill(_ destination: UnsafeMutableRawBufferPointer) {
        guard destination.count > 0 else { return }
        pool.withLock { $0.take(into: destination) }
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Where ``uuid()`` takes ids from in the tasks of a deterministic simulation, so that a run replays exactly
    /// from its seed; `nil` (always, in the service) for the kernel's bytes. ``bytes(_:)`` and ``fill(_:)`` (keys,
    /// secrets, tokens) are never affected.
    @TaskLocal public static var simulatedIDs: SimulatedIDs?

    /// A random (version 4, RFC 9562) UUID.
    public static func uuid() -> UUID {
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { destination in
            guard let simulatedIDs else { return fill(destination) }
            simulatedIDs.fill(destination)
        }
        raw.6 = (raw.6 & 0x0F) | 0x40
        raw.8 = (raw.8 & 0x3F) | 0x80
        return UUID(uuid: raw)
    }
}

/// A seeded source of ids for ``SecureRandom/simulatedIDs``: predictable on purpose, for a simulation only.
public final class SimulatedIDs: Sendable {
    private let generator: Mutex<SeededRandomNumberGenerator>

    /// Ids that follow from `seed`.
    public init(seed: UInt64) {
        generator = Mutex(SeededRandomNumberGenerator(seed: seed))
    }

    fileprivate func fill(_ destination: UnsafeMutableRawBufferPointer) {
        generator.withLock { generator in
            destination.storeBytes(of: generator.next(), toByteOffset: 0, as: UInt64.self)
            destination.storeBytes(of: generator.next(), toByteOffset: 8, as: UInt64.self)
        }
    }
}
