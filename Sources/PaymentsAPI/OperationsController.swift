import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PaymentsCore

/// `/healthz` (the process answers), `/readyz` (the database is reachable and migrated) and `/openapi.yaml`.
public struct OperationsController<Store: PaymentStore>: Sendable {
    let store: Store
    let metricsEndpoint: MetricsEndpoint?
    /// Which bank payments go to (`sandbox` or `remote`), shown by `/readyz` so that a sandbox is never mistaken for
    /// a bank.
    let bank: String

    /// Creates the controller.
    public init(store: Store, metricsEndpoint: MetricsEndpoint? = nil, bank: String = "remote") {
        self.store = store
        self.metricsEndpoint = metricsEndpoint
        self.bank = bank
    }

    /// Adds the routes.
    public func addRoutes(to router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in try JSONResponse.make(["status": "ok"]) }
        router.get("readyz") { _, context in
            do {
                try await store.checkReady()
                return try JSONResponse.make(["status": "ok", "bank": bank])
            } catch {
                context.logger.warning("Not ready", metadata: ["error": "\(error)"])
                return try JSONResponse.make(["status": "unavailable"], status: .serviceUnavailable)
            }
        }
        if let metricsEndpoint {
            router.get("metrics") { request, _ in
                let (contentType, body) = metricsEndpoint(request.headers[.accept])
                return Response(
                    status: .ok, headers: [.contentType: contentType],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: body))
                )
            }
        }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml))
            )
        }
    }
}

/// Renders the metrics for a scraper's `Accept` header: the content type and the body.
public typealias MetricsEndpoint = @Sendable (_ accept: String?) -> (contentType: String, body: String)

/// The OpenAPI 3.1 document shipped with the binary.
public enum OpenAPIDocument {
    /// The document's text.
    public static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "openapi: 3.1.0\ninfo: {title: missing, version: '0'}\npaths: {}\n" }
        return text
    }()
}
