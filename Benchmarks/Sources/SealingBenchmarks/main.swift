import Foundation
import PaymentsCore

// What the data-at-rest work adds to one payment: sealing its account number and computing its blind index and
// keyed fingerprint on create, opening the account number on every read. Prints nanoseconds per operation, the
// median of several rounds.

func measure(_ name: String, rounds: Int = 7, iterations: Int = 20_000, _ body: (Int) -> Void) {
    var samples: [Double] = []
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        for index in 0..<iterations { body(index) }
        let elapsed = ContinuousClock.now - start
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        samples.append(nanoseconds / Double(iterations))
    }
    samples.sort()
    print("\(name): \(String(format: "%.0f", samples[samples.count / 2])) ns per operation (median of \(rounds))")
}

let ring = DataKeyRing(
    keys: [("bench", (0..<32).map { UInt8($0) })], indexKey: (0..<32).map { UInt8(255 - $0) })
let ids = (0..<1_000).map { _ in UUID() }
let account = "000123456789"
let request = PaymentRequest(
    amount: Money(minorUnits: 1250, currency: .usd), clientRef: "INV-1002",
    recipient: .bankAccount(name: "Acme LLC", accountNumber: account, routingNumber: RoutingNumber("021000021")!),
    description: "Invoice 1002")
let sealed = ids.map { ring.seal(account, paymentID: $0, field: "recipient_account_number") }
var sink = 0

measure("seal account number") {
    sink &+= ring.seal(account, paymentID: ids[$0 % 1_000], field: "recipient_account_number").utf8.count
}
measure("open account number") {
    sink &+=
        (try? ring.open(sealed[$0 % 1_000], paymentID: ids[$0 % 1_000], field: "recipient_account_number"))?.utf8.count
        ?? 0
}
measure("blind index") { _ in sink &+= ring.blindIndex(accountNumber: account, routingNumber: "021000021").utf8.count }
measure("keyed fingerprint (HMAC-SHA256)") { _ in sink &+= ring.fingerprint(request).utf8.count }
print("(checksum \(sink))")
