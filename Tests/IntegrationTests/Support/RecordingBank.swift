import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization

/// A bank on loopback that records the bodies of `POST /v1/payments` and accepts them (or answers 503 while
/// `available` is false), to see exactly what the bank client sends. It knows no payment afterwards (status and
/// report answer 404), so payments it accepted stay `processing`.
final class RecordingBank: Sendable {
    private let bodies = Mutex<[[String: any Sendable]]>([])
    private let up = Mutex(true)
    let url: String

    private init(url: String) {
        self.url = url
    }

    /// Every accepted submission's body, in arrival order.
    var received: [[String: any Sendable]] { bodies.withLock { $0 } }

    /// While `false`, every submission is answered 503 and not recorded.
    func setAvailable(_ available: Bool) { up.withLock { $0 = available } }

    static func with(_ body: (RecordingBank) async throws -> Void) async throws {
        let holder = Mutex<RecordingBank?>(nil)
        let router = Router()
        router.post("v1/payments") { request, _ -> Response in
            guard let bank = holder.withLock({ $0 }), bank.up.withLock({ $0 }) else {
                return Response(status: .serviceUnavailable)
            }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: any Sendable] ?? [:]
            bank.bodies.withLock { $0.append(json) }
            let reference = "BNK-" + String(UUID().uuidString.prefix(12))
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"bank_ref":"\#(reference)","status":"pending"}"#)))
        }
        try await withLoopbackApplication(router: router, logger: Logger(label: "recording-bank")) { port in
            let bank = RecordingBank(url: "http://127.0.0.1:\(port)")
            holder.withLock { $0 = bank }
            try await body(bank)
        }
    }
}
