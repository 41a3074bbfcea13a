import Foundation
import PaymentsCore
import PaymentsSupport

/// One payment as the operator sees it (`payments admin payment`): the payment with its recipient masked, its
/// history and its jobs, as text for a terminal or as JSON.
public struct PaymentInspection: Sendable {
    public let payment: Payment
    public let jobs: [JobRecord]

    /// Creates an inspection.
    public init(payment: Payment, jobs: [JobRecord]) {
        self.payment = payment
        self.jobs = jobs
    }

    /// Aligned text. Every value that came from outside (references, names, reasons) has its control and
    /// bidirectional-override characters escaped, so that it cannot rewrite the operator's terminal.
    public var text: String {
        var lines: [String] = []
        func field(_ name: String, _ value: String?) {
            guard let value else { return }
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0) + Self.terminalSafe(value))
        }
        field("payment", payment.id.lowercased)
        field("status", payment.status.rawValue)
        field("amount", "\(payment.amount.minorUnits) \(payment.amount.currency.code) (minor units)")
        field("client", payment.clientID)
        field("client_ref", payment.clientRef)
        field("recipient", Self.describe(payment.recipient.masked))
        field("bank_ref", payment.bankRef)
        field("return_code", payment.returnCode)
        field("failure", payment.failureReason)
        field("attempts", "\(payment.attempts)")
        field("trace_id", payment.traceID)
        field("created_at", Timestamp.format(payment.createdAt))
        field("updated_at", Timestamp.format(payment.updatedAt))

        lines.append("")
        lines.append("history")
        lines += Self.table(
            header: ["at", "status", "source", "applied", "note"],
            rows: payment.history.map { entry in
                let note = [entry.correctedFrom.map { "corrected from \($0.rawValue)" }, entry.detail]
                    .compactMap { $0 }.joined(separator: "; ")
                return [
                    Timestamp.format(entry.at), entry.status.rawValue, entry.source.rawValue,
                    entry.applied ? "yes" : "no", note,
                ]
            })
        lines.append("")
        lines.append("jobs")
        lines += Self.table(
            header: ["id", "kind", "state", "attempts", "run_at", "note"],
            rows: jobs.map { job in
                [
                    job.id.lowercased, job.kind.rawValue, job.state, "\(job.attempts)", Timestamp.format(job.runAt),
                    job.result ?? job.lastError ?? "",
                ]
            })
        return lines.joined(separator: "\n")
    }

    /// The payment as the client API renders it (without the description) plus `client_id` and `jobs`.
    public var json: JSONValue {
        let history: [JSONValue] = payment.history.map { entry in
            .object([
                "status": .string(entry.status.rawValue), "at": .string(Timestamp.format(entry.at)),
                "source": .string(entry.source.rawValue), "applied": .bool(entry.applied),
                "detail": entry.detail.map(JSONValue.string) ?? .null,
                "corrected_from": entry.correctedFrom.map { .string($0.rawValue) } ?? .null,
            ])
        }
        return .object([
            "payment_id": .string(payment.id.lowercased), "client_id": .string(payment.clientID),
            "client_ref": .string(payment.clientRef), "status": .string(payment.status.rawValue),
            "amount": .integer(payment.amount.minorUnits), "currency": .string(payment.amount.currency.code),
            "recipient": .string(Self.describe(payment.recipient.masked)),
            "bank_ref": payment.bankRef.map(JSONValue.string) ?? .null,
            "return_code": payment.returnCode.map(JSONValue.string) ?? .null,
            "failure_reason": payment.failureReason.map(JSONValue.string) ?? .null,
            "attempts": .integer(Int64(payment.attempts)), "trace_id": payment.traceID.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamp.format(payment.createdAt)),
            "updated_at": .string(Timestamp.format(payment.updatedAt)), "history": .array(history),
            "jobs": .array(jobs.map(Self.json)),
        ])
    }

    /// A job as JSON, for `admin payment --json` and `admin dead-letters --json`.
    public static func json(_ job: JobRecord) -> JSONValue {
        .object([
            "job_id": .string(job.id.lowercased), "kind": .string(job.kind.rawValue),
            "payment_id": .string(job.paymentID.lowercased), "state": .string(job.state),
            "attempts": .integer(Int64(job.attempts)), "run_at": .string(Timestamp.format(job.runAt)),
            "last_error": job.lastError.map(JSONValue.string) ?? .null,
            "result": job.result.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamp.format(job.createdAt)),
            "updated_at": .string(Timestamp.format(job.updatedAt)),
        ])
    }

    /// Dead-lettered jobs as an aligned table.
    public static func deadLetterTable(_ jobs: [JobRecord]) -> String {
        table(
            header: ["job_id", "kind", "payment_id", "attempts", "dead_since", "reason"],
            rows: jobs.map { job in
                [
                    job.id.lowercased, job.kind.rawValue, job.paymentID.lowercased, "\(job.attempts)",
                    Timestamp.format(job.updatedAt), job.result ?? job.lastError ?? "",
                ]
            }
        ).joined(separator: "\n")
    }

    private static func describe(_ recipient: MaskedRecipient) -> String {
        switch recipient {
        case .bankAccount(let name, let last4, let routing):
            "bank_account \(name), account ••••\(last4), routing \(routing)"
        case .zelle(let name, .email(let email)): "zelle \(name), \(email)"
        case .zelle(let name, .phone(let phone)): "zelle \(name), \(phone)"
        }
    }

    /// Columns padded to their widest cell, two spaces apart; the last column is not padded.
    public static func table(header: [String], rows: [[String]]) -> [String] {
        let cells = ([header] + rows).map { $0.map(terminalSafe) }
        var widths = Array(repeating: 0, count: header.count)
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return cells.map { row in
            "  "
                + row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
        }
    }

    /// `text` with C0 and C1 control characters and bidirectional formatting characters written as `\u{…}`.
    static func terminalSafe(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let isControl = value < 0x20 || (0x7F...0x9F).contains(value)
            let isBidi =
                value == 0x061C || value == 0x200E || value == 0x200F || (0x202A...0x202E).contains(value)
                || (0x2066...0x2069).contains(value)
            if isControl || isBidi {
                result += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
