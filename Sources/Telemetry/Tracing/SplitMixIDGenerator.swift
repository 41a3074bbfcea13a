import Synchronization

/// Produces trace and span ids with SplitMix64 over one atomic counter, seeded once from the system generator.
///
/// Ids must be unique and uniformly distributed (ratio sampling reads their low bits), not secret; a `getrandom`
/// system call per id would cost more than everything else in starting a span, and a lock would serialise all
/// threads starting spans. One relaxed atomic add per id does neither.
final class SplitMixIDGenerator: Sendable {
    private let counter: Atomic<UInt64>

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        counter = Atomic(seed)
    }

    /// The next 64 random-looking bits.
    func next() -> UInt64 {
        var z = counter.wrappingAdd(0x9e37_79b9_7f4a_7c15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A non-zero span id.
    func spanID() -> SpanID {
        let value = next()
        return SpanID(rawValue: value == 0 ? 1 : value)
    }

    /// A non-zero trace id.
    func traceID() -> TraceID {
        let id = TraceID(high: next(), low: next())
        return id.isValid ? id : TraceID(high: 0, low: 1)
    }
}
