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
            let action = lifecycle.receive(to)
            #expect(action == .transition(to: to, followUp: to.isTerminal ? [.erpUpdate] : []), "\(from) → \(to)")
            #expect(lifecycle.status == to)
        }
    }

    @Test("Every other pair is kept in history without moving the status")
    func everyOtherPairIsRecordOnly() {
        for from in PaymentStatus.allCases {
            for to in PaymentStatus.allCases where from != to {
                guard !Self.forward.contains(where: { $0 == (from, to) }) else { continue }
                var lifecycle = PaymentLifecycle(status: from)
                let action = lifecycle.receive(to)
                let expected: PaymentLifecycle.IgnoredReason =
                    from == .returned || from == .failed ? .alreadySettled : .wouldMoveBackwards
                #expect(action == .recordOnly(expected), "\(from) → \(to)")
                #expect(lifecycle.status == from)
            }
        }
    }

    @Test("The same status again changes nothing")
    func repeatIsIgnored() {
        for status in PaymentStatus.allCases {
            var lifecycle = PaymentLifecycle(status: status)
            #expect(lifecycle.receive(status) == .alreadyInStatus)
        }
    }

    @Test("Out-of-order events converge: completed then a late processing stays completed")
    func outOfOrderEventsConverge() {
        var lifecycle = PaymentLifecycle(status: .initiated)
        _ = lifecycle.receive(.completed)
        #expect(lifecycle.receive(.processing) == .recordOnly(.wouldMoveBackwards))
        #expect(lifecycle.receive(.returned) == .transition(to: .returned, followUp: [.erpUpdate]))
        #expect(lifecycle.receive(.completed) == .recordOnly(.alreadySettled))
        #expect(lifecycle.status == .returned)
    }
}
