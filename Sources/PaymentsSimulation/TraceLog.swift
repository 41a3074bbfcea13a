import Foundation

/// The last events of a run, kept to explain a violation: the events of the payment at fault, with every crash.
struct TraceLog {
    private struct Line {
        var step: Int
        var time: Date
        var text: String
        var paymentID: UUID?
    }

    private var lines: [Line] = []
    private var next = 0
    private let capacity: Int
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    init(capacity: Int) {
        self.capacity = capacity
        lines.reserveCapacity(capacity)
    }

    mutating func append(step: Int, time: Date, text: String, about paymentID: UUID?) {
        let line = Line(step: step, time: time, text: text, paymentID: paymentID)
        if lines.count < capacity {
            lines.append(line)
        } else {
            lines[next] = line
            next = (next + 1) % capacity
        }
    }

    /// The kept events about `paymentID` and every crash among them, oldest first; the last events when there is no
    /// payment to follow.
    func lines(about paymentID: UUID?) -> [String] {
        let ordered = lines[next...] + lines[..<next]
        let chosen =
            paymentID.map { id in ordered.filter { $0.paymentID == id || $0.text.hasPrefix("CRASH") } }
            ?? Array(ordered.suffix(40))
        let first = paymentID.flatMap { id in chosen.firstIndex { $0.paymentID == id } } ?? chosen.startIndex
        return chosen[first...].suffix(80).map { line in
            String(format: "step %7d  t+%8.1fs  ", line.step, line.time.timeIntervalSince(start)) + line.text
        }
    }
}
