import CoreMetrics
import PaymentsCore

/// `job_dead_letters_total{kind}`: durable work given up on, each kind registered at zero so that alerts and
/// dashboards read 0, not nothing.
struct JobMetrics: Sendable {
    private let deadLetters: [JobKind: Counter]

    init(factory: any MetricsFactory) {
        var deadLetters: [JobKind: Counter] = [:]
        for kind in JobKind.allCases {
            deadLetters[kind] = Counter(
                label: "job_dead_letters_total", dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        self.deadLetters = deadLetters
    }

    func deadLettered(_ kind: JobKind) {
        deadLetters[kind]?.increment()
    }
}
