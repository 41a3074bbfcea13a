/// Whether any sampled span of this process has started and not ended: when none has, no exemplar can exist, and
/// a histogram record skips reading the current service context (a task-local lookup, about 15 ns, the largest
/// part of a record's cost).
///
/// Starts and ends are counted in per-CPU striped cells, so that spans on different CPUs do not contend. An end is
/// published with release ordering and read with acquire before the starts are read, so a span's end is never
/// counted without its start: a span current in the reading task is always seen as in flight.
struct SampledSpansInFlight: Sendable {
    /// The process's count (never deallocated).
    static let shared = SampledSpansInFlight()

    private let cells = StripedCells(cells: 2)
    private static let started = 0
    private static let ended = 1

    func spanStarted() { cells.add(1, to: Self.started) }
    func spanEnded() { cells.addReleasing(1, to: Self.ended) }

    var any: Bool {
        let ends = cells.sumAcquiring(of: Self.ended)
        return cells.sum(of: Self.started) &- ends != 0
    }
}
