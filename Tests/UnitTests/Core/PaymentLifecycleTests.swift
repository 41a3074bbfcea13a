import PaymentsCore
import Testing

@Suite("Payment lifecycle state machine")
struct PaymentLifecycleTests {
    static let forward: [(PaymentStatus, PaymentStatus)] = [
        (.initiated, .processing), (.initiated, .completed), (.initiated, .returned), (.initiated, .failed),
        (.processing, .completed), (.processing, .returned), (.processing, .failed), (.completed, .returned),
    ]

    @Test("Every allowed transition moves the status; terminal ones queue an ERP update")
    func allowedTransitions() {
        for (from, to) in Self.forward {
            var lifecycle = PaymentLifecycle(status: from)
            let action = lifecycle.receive(to, from: .webhook)
            #expect(action == .transition(to: to, followUp: to.isTerminal ? [.erpUpdate] : []), "\(from) → \(to)")
            #expect(lifecycle.status == to)
        }
    }

    static let corrections: [PaymentStatus] = [.processing, .completed, .returned]

    @Test(
        "Every other pair is kept in history without moving the status, from any source",
        arguments: [EventSource.api, .bank, .webhook, .worker, .reconciliation]
    )
    func everyOtherPairIsRecordOnly(source: EventSource) {
        for from in PaymentStatus.allCases {
            for to in PaymentStatus.allCases where from != to {
                guard !Self.forward.contains(where: { $0 == (from, to) }) else { continue }
                if from == .failed, Self.corrections.contains(to), source.isTheBank { continue }
                var lifecycle = PaymentLifecycle(status: from)
                let action = lifecycle.receive(to, from: source)
                let expected: PaymentLifecycle.IgnoredReason =
                    from == .returned || from == .failed ? .alreadySettled : .wouldMoveBackwards
                #expect(action == .recordOnly(expected), "\(from) → \(to) from \(source)")
                #expect(lifecycle.status == from)
            }
        }
    }

    @Test(
        "The bank's record corrects our failed: it follows the bank and tells the ERP",
        arguments: [EventSource.bank, .webhook, .reconciliation]
    )
    func bankRecordCorrectsFailed(source: EventSource) {
        for to in Self.corrections {
            var lifecycle = PaymentLifecycle(status: .failed)
            let action = lifecycle.receive(to, from: source)
            #expect(action == .correction(from: .failed, to: to, followUp: [.erpUpdate]), "failed → \(to)")
            #expect(action.newStatus == to)
            #expect(action.correctedStatus == .failed)
            #expect(lifecycle.status == to)
        }
        // After the correction the lifecycle goes on as usual: a late return still applies.
        var lifecycle = PaymentLifecycle(status: .failed)
        _ = lifecycle.receive(.processing, from: source)
        #expect(lifecycle.receive(.completed, from: source) == .transition(to: .completed, followUp: [.erpUpdate]))
        #expect(lifecycle.receive(.returned, from: source) == .transition(to: .returned, followUp: [.erpUpdate]))
    }

    @Test("Only the bank corrects: our own worker or the API cannot revive a failed payment")
    func onlyTheBankCorrects() {
        for source in [EventSource.api, .worker] {
            var lifecycle = PaymentLifecycle(status: .failed)
            #expect(lifecycle.receive(.completed, from: source) == .recordOnly(.alreadySettled))
            #expect(lifecycle.status == .failed)
        }
    }

    @Test("The same status again changes nothing")
    func repeatIsIgnored() {
        for status in PaymentStatus.allCases {
            var lifecycle = PaymentLifecycle(status: status)
            #expect(lifecycle.receive(status, from: .bank) == .alreadyInStatus)
        }
    }

    @Test("Out-of-order events converge: completed then a late processing stays completed")
    func outOfOrderEventsConverge() {
        var lifecycle = PaymentLifecycle(status: .initiated)
        _ = lifecycle.receive(.completed, from: .webhook)
        #expect(lifecycle.receive(.processing, from: .webhook) == .recordOnly(.wouldMoveBackwards))
        #expect(lifecycle.receive(.returned, from: .webhook) == .transition(to: .returned, followUp: [.erpUpdate]))
        #expect(lifecycle.receive(.completed, from: .webhook) == .recordOnly(.alreadySettled))
        #expect(lifecycle.status == .returned)
    }
}
