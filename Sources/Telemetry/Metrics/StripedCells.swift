import Atomics
import CCurrentCPU

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A row of 64-bit cells kept once per CPU stripe and summed when read, so that threads recording into the same
/// series on different CPUs never write the same cache line (the approach of Java's `LongAdder` and of Linux's
/// per-CPU counters). A recording is one relaxed atomic add on the caller's stripe; readers pay for the sum.
///
/// Each stripe starts on its own 128-byte boundary: two lines, because x86 prefetches cache lines in pairs.
///
/// A struct over memory it does not free: the owner calls ``deallocate()`` once, in its `deinit`. Being no object,
/// it costs no reference counting on the recording path (whose atomic increments would contend like the cells).
struct StripedCells: @unchecked Sendable {
    private typealias Storage = UInt64.AtomicRepresentation

    /// Stripes per row: the CPUs this machine can have, rounded up to a power of two, at most 16 (beyond that
    /// CPUs share stripes, and rows stay small).
    static let stripeCount: Int = {
        let cpus = max(1, min(16, sysconf(Int32(_SC_NPROCESSORS_CONF))))
        var count = 1
        while count < cpus { count <<= 1 }
        return count
    }()

    private static let stripeAlignment = 128

    /// Cells in each stripe.
    let cellCount: Int
    /// ``stripeCount`` less one, kept here so the recording path reads no lazily initialised global.
    private let stripeMask: Int
    private let stride: Int
    private let base: UnsafeMutablePointer<Storage>

    init(cells: Int) {
        precondition(cells > 0)
        cellCount = cells
        stripeMask = Self.stripeCount - 1
        let perLine = Self.stripeAlignment / MemoryLayout<Storage>.stride
        stride = (cells + perLine - 1) / perLine * perLine
        let total = stride * Self.stripeCount
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: total * MemoryLayout<Storage>.stride, alignment: Self.stripeAlignment)
        base = raw.bindMemory(to: Storage.self, capacity: total)
        base.initialize(repeating: Storage(0), count: total)
    }

    /// Frees the cells; nothing may use them after.
    func deallocate() {
        base.deinitialize(count: stride * (stripeMask + 1))
        base.deallocate()
    }

    /// Adds `amount` to `cell` on the calling CPU's stripe.
    @inline(__always)
    func add(_ amount: UInt64, to cell: Int) {
        add(amount, to: cell, stripe: currentStripe())
    }

    /// Adds `amount` to `cell` on `stripe`.
    @inline(__always)
    func add(_ amount: UInt64, to cell: Int, stripe: Int) {
        atomic(cell, stripe: stripe).wrappingIncrement(by: amount, ordering: .relaxed)
    }

    /// Adds `amount` to `cell` read as a `Double`'s bits on `stripe`. Other CPUs rarely touch the stripe, so the
    /// compare-and-exchange nearly always succeeds first time.
    @inline(__always)
    func add(_ amount: Double, toDoubleCell cell: Int, stripe: Int) {
        let atomic = atomic(cell, stripe: stripe)
        var current = atomic.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = atomic.weakCompareExchange(
                expected: current, desired: (Double(bitPattern: current) + amount).bitPattern, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// `cell` of `stripe` alone.
    @inline(__always)
    func load(_ cell: Int, stripe: Int) -> UInt64 {
        atomic(cell, stripe: stripe).load(ordering: .relaxed)
    }

    /// Sets `cell` of `stripe`.
    @inline(__always)
    func store(_ value: UInt64, in cell: Int, stripe: Int) {
        atomic(cell, stripe: stripe).store(value, ordering: .relaxed)
    }

    /// `cell` summed over every stripe (wrapping, as the adds are).
    @inline(__always)
    func sum(of cell: Int) -> UInt64 {
        var total: UInt64 = 0
        for stripe in 0...stripeMask { total &+= atomic(cell, stripe: stripe).load(ordering: .relaxed) }
        return total
    }

    /// `cell`, read as a `Double`'s bits, summed over every stripe.
    func doubleSum(of cell: Int) -> Double {
        (0...stripeMask).reduce(0) { $0 + Double(bitPattern: atomic(cell, stripe: $1).load(ordering: .relaxed)) }
    }

    /// Sets every cell of every stripe to zero (a `Double` cell too: 0.0 is all zero bits).
    func reset() {
        for stripe in 0...stripeMask {
            for cell in 0..<cellCount { atomic(cell, stripe: stripe).store(0, ordering: .relaxed) }
        }
    }

    @inline(__always)
    private func atomic(_ cell: Int, stripe: Int) -> UnsafeAtomic<UInt64> {
        UnsafeAtomic(at: base + (stripe * stride + cell))
    }

    /// The stripe of the CPU running the caller (see the `CCurrentCPU` shim); where the CPU cannot be known, the
    /// thread's id picks the stripe.
    @inline(__always)
    func currentStripe() -> Int {
        let cpu = payments_current_cpu()
        return (cpu >= 0 ? Int(cpu) : Self.threadID()) & stripeMask
    }

    private static func threadID() -> Int {
        #if canImport(Darwin)
            let id = UInt(bitPattern: pthread_self())
        #else
            let id = UInt(pthread_self())
        #endif
        // Thread records are page-aligned allocations: skip the bits they share.
        return Int(truncatingIfNeeded: (id >> 12) ^ (id >> 20))
    }
}
