import CoreMetrics

/// Reconciliation's metrics, every label registered at zero: `reconciliation_runs_total{outcome}` and
/// `reconciliation_mismatches_total{kind}`.
struct ReconcilerMetrics: Sendable {
    static let outcomes = ["completed", "failed", "skipped"]
    static let mismatchKinds = ["status", "missing_at_bank", "unknown_to_us"]

    private let runs: [String: Counter]
    private let mismatches: [String: Counter]

    init(factory: any MetricsFactory) {
        runs = Dictionary(
            uniqueKeysWithValues: Self.outcomes.map {
                ($0, Counter(label: "reconciliation_runs_total", dimensions: [("outcome", $0)], factory: factory))
            })
        mismatches = Dictionary(
            uniqueKeysWithValues: Self.mismatchKinds.map {
                ($0, Counter(label: "reconciliation_mismatches_total", dimensions: [("kind", $0)], factory: factory))
            })
    }

    func run(_ outcome: String) { runs[outcome]?.increment() }

    func mismatch(_ kind: String) { mismatches[kind]?.increment() }
}
