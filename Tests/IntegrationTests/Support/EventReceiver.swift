import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization

/// A client's webhook endpoint on loopback: records every delivery (raw body and headers), and can answer 500 to the
/// first attempts of each event, or to all of them.
final class EventReceiver: Sendable {
    /// One delivery as it arrived.
    struct Delivery: Sendable {
        var eventID: String?
        var signature: String?
        var contentType: String?
        var traceParent: String?
        var body: [UInt8]

        /// The body as JSON.
        var json: [String: any Sendable] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: any Sendable] ?? [:]
        }
        var type: String { json["type"] as? String ?? "" }
        var payment: [String: any Sendable] {
            ((json["data"] as? [String: any Sendable])?["payment"] as? [String: any Sendable]) ?? [:]
        }
    }

    private let deliveries = Mutex<[Delivery]>([])
    private let attemptsByEvent = Mutex<[String: Int]>([:])
    /// Answer 500 to this many attempts of each event before answering 200 (`Int.max`: always 500).
    let failFirst = Mutex(0)
    /// How long each answer is held back (a slow endpoint).
    let delay = Mutex(Duration.zero)
    let url: String

    private init(url: String) {
        self.url = url
    }

    /// The deliveries answered 2xx, in arrival order.
    var received: [Delivery] { deliveries.withLock { $0 } }
    /// Attempts per event id, answered or not.
    var attempts: [String: Int] { attemptsByEvent.withLock { $0 } }

    static func with(failFirst: Int = 0, _ body: (EventReceiver) async throws -> Void) async throws {
        let holder = Mutex<EventReceiver?>(nil)
        let router = Router()
        router.post("hooks") { request, _ -> HTTPResponse.Status in
            guard let receiver = holder.withLock({ $0 }) else { return .serviceUnavailable }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let delivery = Delivery(
                eventID: request.headers[HTTPField.Name("Payments-Event-Id")!],
                signature: request.headers[HTTPField.Name("Payments-Signature")!],
                contentType: request.headers[.contentType],
                traceParent: request.headers[HTTPField.Name("traceparent")!],
                body: Array(buffer: buffer))
            let key = delivery.eventID ?? ""
            let attempt = receiver.attemptsByEvent.withLock { counts in
                counts[key, default: 0] += 1
                return counts[key]!
            }
            let delay = receiver.delay.withLock { $0 }
            if delay > .zero { try? await Task.sleep(for: delay) }
            guard attempt > receiver.failFirst.withLock({ $0 }) else { return .internalServerError }
            receiver.deliveries.withLock { $0.append(delivery) }
            return .noContent
        }
        try await withLoopbackApplication(router: router, logger: Logger(label: "event-receiver")) { port in
            let receiver = EventReceiver(url: "http://127.0.0.1:\(port)/hooks")
            receiver.failFirst.withLock { $0 = failFirst }
            holder.withLock { $0 = receiver }
            try await body(receiver)
        }
    }
}

/// Checks `Payments-Signature` as a client would, written from the documented scheme and not from the signer:
/// `t=<seconds>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 with the secret's bytes as key over `"<t>.<body>"`.
enum IndependentSignatureCheck {
    /// The secrets (of `secrets`) whose signature the header carries.
    static func signers(of header: String?, body: [UInt8], secrets: [String]) -> [String] {
        guard let header else { return [] }
        var timestamp: String?
        var signatures: [String] = []
        for part in header.components(separatedBy: ",") {
            let pieces = part.components(separatedBy: "=")
            guard pieces.count == 2 else { return [] }
            if pieces[0] == "t" { timestamp = pieces[1] }
            if pieces[0] == "v1" { signatures.append(pieces[1]) }
        }
        guard let timestamp, let seconds = Double(timestamp), abs(Date().timeIntervalSince1970 - seconds) < 300 else {
            return []
        }
        return secrets.filter { secret in
            var message = Data((timestamp + ".").utf8)
            message.append(contentsOf: body)
            let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
            let expected = mac.map { String(format: "%02x", $0) }.joined()
            return signatures.contains(expected)
        }
    }
}
