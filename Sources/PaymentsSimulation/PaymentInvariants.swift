import BankClient
import BankSandbox
import Foundation
import PaymentsCore
import PaymentsSupport

/// The rules every payment keeps, checked against the store itself (not through the simulated faults) and the
/// bank's record, with what was seen of each payment before so that a change to the past shows.
struct PaymentInvariants {
    /// What a payment was first stored as: none of it may change.
    private struct Original: Equatable {
        var clientID: String
        var clientRef: String
        var amount: Money
        var recipient: Recipient
        var createdAt: Date
    }

    private var originals: [UUID: Original] = [:]
    private var histories: [UUID: [PaymentHistoryEntry]] = [:]
    private var open: Set<UUID> = []

    /// Payments seen not yet final.
    var openCount: Int { open.count }

    /// The first rule `paymentID` breaks, if any. With `final`, the run has settled: the payment must be final and
    /// equal to the bank's record.
    mutating func check(
        _ paymentID: UUID, store: any PaymentStore, bankStatus: String?, final: Bool
    ) async throws -> String? {
        let id = paymentID.uuidString.lowercased()
        guard let payment = try await store.payment(id: paymentID) else {
            return "payment \(id) was stored and is gone"
        }
        let original = Original(
            clientID: payment.clientID, clientRef: payment.clientRef, amount: payment.amount,
            recipient: payment.recipient, createdAt: payment.createdAt)
        if let first = originals[paymentID], first != original {
            return "payment \(id) changed what was asked: \(first) became \(original)"
        }
        originals[paymentID] = original

        let previous = histories[paymentID] ?? []
        guard payment.history.starts(with: previous) else {
            return "payment \(id)'s history was rewritten: \(Self.describe(previous)) became "
                + Self.describe(payment.history)
        }
        histories[paymentID] = payment.history
        if let broken = Self.checkLifecycle(payment) { return "payment \(id): \(broken)" }

        if !Self.agrees(ours: payment.status, bank: bankStatus) {
            return "payment \(id) is \(payment.status.rawValue) while the bank's record says "
                + "\(bankStatus ?? "it never received it")"
        }
        if payment.status == .initiated {
            let jobs = try await store.jobs(ofPayment: paymentID)
            let moving = jobs.contains { $0.kind == .submit && ["queued", "running", "reconcile"].contains($0.state) }
            if !moving {
                return "payment \(id) is initiated with no submission to move it (jobs: "
                    + jobs.map { "\($0.kind.rawValue) \($0.state)" }.joined(separator: ", ") + ")"
            }
        }
        if payment.status.isTerminal { open.remove(paymentID) } else { open.insert(paymentID) }
        if final {
            guard payment.status.isTerminal else {
                return "payment \(id) is still \(payment.status.rawValue) after the world settled"
            }
            guard Self.mapped(bankStatus) == payment.status else {
                return "payment \(id) ended \(payment.status.rawValue) but the bank's record says "
                    + "\(bankStatus ?? "it never received it")"
            }
        }
        return nil
    }

    /// Whether every payment is final and equal to the bank's record (the run has settled).
    func allSettled(_ ids: [UUID], store: any PaymentStore, bank: SandboxBank) async throws -> Bool {
        for id in ids {
            guard let payment = try await store.payment(id: id), payment.status.isTerminal else { return false }
            guard Self.mapped(await bank.status(of: id.uuidString.lowercased())) == payment.status else { return false }
        }
        return true
    }

    /// A status moves only along the lifecycle or by a recorded correction, and the bank's events each apply once.
    private static func checkLifecycle(_ payment: Payment) -> String? {
        guard let first = payment.history.first, first.status == .initiated else {
            return "history does not start initiated"
        }
        var status = PaymentStatus.initiated
        var webhookStatuses: Set<PaymentStatus> = []
        for entry in payment.history.dropFirst() {
            if entry.source == .webhook, !webhookStatuses.insert(entry.status).inserted {
                return "the bank's \(entry.status.rawValue) webhook was applied twice: \(describe(payment.history))"
            }
            guard entry.applied, entry.status != status else { continue }
            guard PaymentLifecycle.allows(from: status, to: entry.status) || entry.correctedFrom == status else {
                return "moved \(status.rawValue) to \(entry.status.rawValue) with no correction recorded: "
                    + describe(payment.history)
            }
            status = entry.status
        }
        return status == payment.status ? nil : "status \(payment.status.rawValue) is not where its history ends"
    }

    /// Our status may lag the bank's record, never contradict it: the bank's status is ours or one ours can still
    /// move to, and a payment the bank never received or refused can only be initiated or failed.
    private static func agrees(ours: PaymentStatus, bank: String?) -> Bool {
        switch mapped(bank) {
        case .failed: ours == .initiated || ours == .failed
        case let theirs: ours == theirs || PaymentLifecycle.allows(from: ours, to: theirs)
        }
    }

    /// The bank's status in ours, as the bank client reads it; a payment the bank never received counts as failed.
    private static func mapped(_ bank: String?) -> PaymentStatus {
        bank.flatMap { BankResponses.paymentStatus(.object(["status": .string($0)]))?.status } ?? .failed
    }

    private static func describe(_ history: [PaymentHistoryEntry]) -> String {
        history.map { entry in
            "\(entry.status.rawValue)/\(entry.source.rawValue)" + (entry.applied ? "" : "(not applied)")
                + (entry.correctedFrom.map { "(corrected from \($0.rawValue))" } ?? "")
        }.joined(separator: " → ")
    }
}
