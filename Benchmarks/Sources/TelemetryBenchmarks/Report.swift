import Foundation
import ServiceLifecycle

/// Variant names, as printed and as used in `--filter`.
enum Variant {
    static let ours = "ours"
    static let oursPlain = "ours-plain"
    static let oursInSpan = "ours-in-span"
    static let otel = "swift-otel"
    static let noOp = "no-op"
}

/// A `Service` that runs a closure: the benchmark run itself, inside the group that runs the processors.
struct ClosureService: Service {
    let body: @Sendable () async throws -> Void

    init(_ body: @escaping @Sendable () async throws -> Void) {
        self.body = body
    }

    func run() async throws {
        try await body()
    }
}

/// One line of the span table.
struct SpanRow {
    var result: CaseResult
    /// Spans made over all rounds, warm-up included.
    var made: Int
    var counters: SpanCounters?
}

/// The printed report.
struct Report {
    var settings: Settings
    var spans: [SpanRow] = []
    var metrics: [CaseResult] = []
    var otelWarnings: [String] = []

    private static let target = 0.5

    func render() -> String {
        var out: [String] = []
        let rounds = "\(settings.rounds) rounds after \(settings.warmupRounds) warm-up"
        out.append(
            "Telemetry benchmarks — release build, \(ProcessInfo.processInfo.activeProcessorCount) cores; \(rounds), variants interleaved round by round."
        )
        out.append(
            "ns/op over rounds: median (p25–p75) [min–max]. wall = ContinuousClock time of an op-making thread's loop / its ops (one"
        )
        out.append(
            "figure per thread per round); thread CPU = that thread's CPU time / its ops (not inflated when it is descheduled);"
        )
        out.append(
            "process CPU = CPU time of the whole process, background tasks included, from the round's start until the process is idle"
        )
        out.append(
            "again / all ops. Span-making threads run at nice \(settings.producerNice), so that background exporters get a core when they need one."
        )
        if !spans.isEmpty {
            out.append("")
            out.append(
                "SPANS — startSpan (root, parent-based always-on) + 2 string attributes + end; batch processor queue 2048, batch 512,"
            )
            out.append(
                "delay 5 s; exporter accepts and discards. \(settings.spansPerRound) spans per thread per round.")
            out.append(
                row([
                    "variant", "thr", "wall ns/span", "thread CPU ns/span", "process CPU ns/span", "exported (batches)",
                    "dropped",
                ]))
            for span in spans {
                let exported = span.counters.map { "\($0.exportedSpans) (\($0.exportedBatches))" } ?? "—"
                let dropped = span.counters.map { "\($0.droppedSpans)" } ?? "—"
                out.append(
                    row([
                        span.result.variant, "\(span.result.threads)", Self.describe(span.result.caller),
                        Self.brief(span.result.callerCPU), Self.brief(span.result.cpu), exported + " of \(span.made)",
                        dropped,
                    ]))
            }
            out.append("")
            out.append(contentsOf: ratios(spans.map(\.result), unit: "span"))
            out.append("")
            out.append(contentsOf: verdict())
        }
        if !metrics.isEmpty {
            out.append("")
            out.append(
                "METRICS — Counter.increment() + Recorder(aggregate: true).record(seconds), handles made once (counter 1 dimension, recorder 2),"
            )
            out.append(
                "18 buckets on both registries; threads share the series. \(settings.metricEventsPerRound) events per thread per round."
            )
            out.append(
                "ours = MetricsRegistry as `payments serve` makes it (exemplar hook reading the current span; no span here); ours-in-span = the same inside a sampled span (an exemplar per record); ours-plain = without the hook."
            )
            out.append(row(["variant", "thr", "wall ns/event", "thread CPU ns/event", "process CPU ns/event", "", ""]))
            for result in metrics {
                out.append(
                    row([
                        result.variant, "\(result.threads)", Self.describe(result.caller), Self.brief(result.callerCPU),
                        Self.brief(result.cpu), "", "",
                    ]))
            }
            out.append("")
            out.append(contentsOf: ratios(metrics, unit: "event"))
        }
        if !otelWarnings.isEmpty {
            out.append("")
            out.append("swift-otel diagnostic warnings (\(otelWarnings.count)):")
            out.append(contentsOf: otelWarnings.prefix(10).map { "  " + $0 })
        }
        return out.joined(separator: "\n")
    }

    private func row(_ cells: [String]) -> String {
        let widths = [11, 4, 31, 21, 21, 26, 8]
        return zip(cells, widths).map { cell, width in
            cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined().trimmingCharacters(in: .whitespaces)
    }

    private static func format(_ value: Double) -> String {
        value < 10
            ? String(format: "%.2f", value)
            : value < 100 ? String(format: "%.1f", value) : String(format: "%.0f", value)
    }

    static func brief(_ summary: Summary) -> String {
        "\(format(summary.median)) (\(format(summary.p25))–\(format(summary.p75)))"
    }

    static func describe(_ summary: Summary) -> String {
        "\(format(summary.median)) (\(format(summary.p25))–\(format(summary.p75))) [\(format(summary.min))–\(format(summary.max))]"
    }

    private func ratios(_ results: [CaseResult], unit: String) -> [String] {
        var out = ["Ratios of medians (wall / thread CPU / process CPU):"]
        let threadCounts = Array(Set(results.map(\.threads))).sorted()
        let pairs = [
            (Variant.ours, Variant.otel), (Variant.oursInSpan, Variant.otel), (Variant.oursPlain, Variant.otel),
            (Variant.ours, Variant.noOp),
            (Variant.otel, Variant.noOp),
        ]
        for (numerator, denominator) in pairs {
            var cells: [String] = []
            for threads in threadCounts {
                guard let top = results.first(where: { $0.variant == numerator && $0.threads == threads }),
                    let bottom = results.first(where: { $0.variant == denominator && $0.threads == threads })
                else { continue }
                let caller = top.caller.median / bottom.caller.median
                let callerCPU = top.callerCPU.median / bottom.callerCPU.median
                let cpu = top.cpu.median / bottom.cpu.median
                cells.append(
                    "\(threads) thread\(threads == 1 ? "" : "s"): \(Self.ratio(caller)) / \(Self.ratio(callerCPU)) / \(Self.ratio(cpu))"
                )
            }
            guard !cells.isEmpty else { continue }
            let name = "\(numerator) / \(denominator)"
            out.append(
                "  " + name + String(repeating: " ", count: max(1, 26 - name.count)) + cells.joined(separator: "   "))
        }
        return out
    }

    private static func ratio(_ value: Double) -> String {
        value >= 100
            ? String(format: "%.0fx", value)
            : value >= 10 ? String(format: "%.1fx", value) : String(format: "%.2fx", value)
    }

    private func verdict() -> [String] {
        var out = ["Target: one span in ours costs at most \(Self.target)x what it costs in swift-otel."]
        for threads in Array(Set(spans.map(\.result.threads))).sorted() {
            guard let ours = spans.first(where: { $0.result.variant == Variant.ours && $0.result.threads == threads }),
                let otel = spans.first(where: { $0.result.variant == Variant.otel && $0.result.threads == threads })
            else { continue }
            let caller = ours.result.caller.median / otel.result.caller.median
            let callerCPU = ours.result.callerCPU.median / otel.result.callerCPU.median
            let cpu = ours.result.cpu.median / otel.result.cpu.median
            func met(_ value: Double) -> String { value <= Self.target ? "met" : "NOT met" }
            out.append(
                "  \(threads) thread\(threads == 1 ? "" : "s"): wall \(Self.ratio(caller)) (\(met(caller))), "
                    + "thread CPU \(Self.ratio(callerCPU)) (\(met(callerCPU))), process CPU \(Self.ratio(cpu)) (\(met(cpu)))"
            )
        }
        return out
    }
}
