import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import Synchronization

/// A tiny HTTP server on loopback that records the JSON bodies posted to it, standing in for a client's ERP.
final class ERPReceiver: Sendable {
    private let bodies = Mutex<[[String: any Sendable]]>([])
    private let signed = Mutex<[(signature: String?, body: [UInt8])]>([])
    let url: String

    private init(url: String) {
        self.url = url
    }

    var received: [[String: any Sendable]] { bodies.withLock { $0 } }
    /// Each post's `Payments-Signature` and raw body, in arrival order.
    var signatures: [(signature: String?, body: [UInt8])] { signed.withLock { $0 } }

    static func with(_ body: (ERPReceiver) async throws -> Void) async throws {
        let holder = Mutex<ERPReceiver?>(nil)
        let router = Router()
        router.post("erp") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let signature = request.headers[HTTPField.Name("Payments-Signature")!]
            holder.withLock { $0 }?.signed.withLock { $0.append((signature, Array(buffer: buffer))) }
            if let json = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: any Sendable] {
                holder.withLock { $0 }?.bodies.withLock { $0.append(json) }
            }
            return .ok
        }
        try await withLoopbackApplication(router: router, logger: Logger(label: "erp")) { port in
            let receiver = ERPReceiver(url: "http://127.0.0.1:\(port)/erp")
            holder.withLock { $0 = receiver }
            try await body(receiver)
        }
    }
}
