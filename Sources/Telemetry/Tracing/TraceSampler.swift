/// Decides at span start whether a span is recorded and exported (OpenTelemetry's built-in samplers).
///
/// Parent-based sampling follows the parent's `sampled` flag — local or remote — and applies ``root`` only to spans
/// that start a trace, so a trace is never half-recorded across services.
public struct TraceSampler: Sendable, Hashable {
    /// The decision for spans without a parent (or for every span when not parent-based).
    public enum Root: Sendable, Hashable {
        /// Record every trace.
        case alwaysOn
        /// Record nothing.
        case alwaysOff
        /// Record this fraction (0...1) of traces, decided from the trace id so every service agrees.
        case traceIDRatio(Double)
    }

    /// The root decision.
    public var root: Root
    /// Whether a parent's `sampled` flag overrides ``root``.
    public var isParentBased: Bool

    /// OpenTelemetry's default: `parentbased_always_on`.
    public static let `default` = TraceSampler(root: .alwaysOn, isParentBased: true)

    /// Creates a sampler.
    public init(root: Root, isParentBased: Bool = true) {
        self.root = root
        self.isParentBased = isParentBased
    }

    /// Whether a new span in `traceID` with `parent` is sampled.
    public func shouldSample(traceID: TraceID, parent: SpanContext?) -> Bool {
        if isParentBased, let parent { return parent.isSampled }
        switch root {
        case .alwaysOn:
            return true
        case .alwaysOff:
            return false
        case .traceIDRatio(let ratio):
            return Self.ratioAccepts(traceID: traceID, ratio: ratio)
        }
    }

    /// Compares the trace id's rightmost 56 bits — random under W3C level 2 — against `ratio · 2^56`, so the same
    /// trace gets the same decision in every process and a lower ratio samples a subset of a higher one.
    static func ratioAccepts(traceID: TraceID, ratio: Double) -> Bool {
        if ratio >= 1 { return true }
        if !(ratio > 0) { return false }
        let bound = UInt64(ratio * 72_057_594_037_927_936.0)  // 2^56
        return traceID.low & 0x00ff_ffff_ffff_ffff < bound
    }
}
