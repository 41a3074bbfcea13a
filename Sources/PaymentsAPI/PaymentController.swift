import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PaymentsCore
import PaymentsOrchestrator
import PaymentsSupport

/// The client API: `POST /v1/payments`, `GET /v1/payments/{payment_id}`, `GET /v1/payments`.
public struct PaymentController<Store: PaymentStore>: Sendable {
    let orchestrator: PaymentOrchestrator<Store>
    let parser: PaymentRequestParser

    /// Creates the controller.
    public init(orchestrator: PaymentOrchestrator<Store>, limits: PaymentLimits = .default) {
        self.orchestrator = orchestrator
        self.parser = PaymentRequestParser(limits: limits)
    }

    /// Adds the routes to an authenticated group.
    public func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("payments", use: create)
        group.get("payments", use: list)
        group.get("payments/:payment_id", use: get)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        let idempotencyKey = try Self.idempotencyKey(request)
        let body = try await RequestJSON.read(request, context: context)
        let paymentRequest: PaymentRequest
        switch parser.parse(body) {
        case .success(let parsed):
            paymentRequest = parsed
        case .failure(let error):
            context.logger.notice(
                "Payment request rejected by validation",
                metadata: ["fields": .array(error.errors.map { .string($0.pointer) })]
            )
            throw Problem.validation(error.errors)
        }
        // The caller's trace context, or a new one, stands in for the span's when no tracer is running.
        let creation = try await orchestrator.create(
            paymentRequest, clientID: client.id, idempotencyKey: idempotencyKey,
            traceParent: (request.headers[.traceParent].flatMap(TraceParent.init) ?? TraceParent.random()).description
        )
        switch creation {
        case .created(let payment), .replayed(let payment):
            RequestSpan.annotate(context, paymentID: payment.id, clientRef: payment.clientRef)
        case .conflict:
            break
        }
        switch creation {
        case .created(let payment):
            return JSONResponse.make(
                PaymentResource(payment: payment), status: .created,
                headers: [.location: "/v1/payments/\(payment.id.lowercased)"]
            )
        case .replayed(let payment):
            return JSONResponse.make(PaymentResource(payment: payment), status: .ok)
        case .conflict(let conflict):
            throw Problem(
                status: .conflict, slug: "idempotency-conflict", title: "Conflict",
                detail: "This \(conflict.rawValue) was already used for a different payment request.",
                errors: [
                    conflict == .clientRef
                        ? ProblemFieldError(pointer: "/client_ref", detail: "already used with a different request")
                        : ProblemFieldError(
                            parameter: "Idempotency-Key", detail: "already used with a different request")
                ]
            )
        }
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        guard let text = context.parameters.get("payment_id"), let id = UUID(uuidString: text),
            let payment = try await orchestrator.payment(id: id, clientID: client.id)
        else { throw Problem.paymentNotFound }
        RequestSpan.annotate(context, paymentID: payment.id, clientRef: payment.clientRef)
        return JSONResponse.make(PaymentResource(payment: payment))
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        let parameters = request.uri.queryParameters
        var query = PaymentQuery(clientID: client.id)
        try ListQuery.checkNames(parameters, allowed: ["client_ref", "status", "limit", "cursor"])
        if let clientRef = parameters.get("client_ref") {
            if let problem = PaymentRequestParser.clientRefProblem(clientRef) {
                throw Problem.invalidParameter("client_ref", problem)
            }
            query.clientRef = clientRef
        }
        if let status = parameters.get("status") {
            guard let parsed = PaymentStatus(rawValue: status) else {
                let allowed = PaymentStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.invalidParameter("status", "must be one of \(allowed)")
            }
            query.status = parsed
        }
        if let limit = try ListQuery.limit(parameters) { query.limit = limit }
        if let cursor = parameters.get("cursor") {
            guard let parsed = PaymentCursor(token: cursor) else {
                throw Problem.invalidParameter("cursor", "is not a cursor this API returned")
            }
            query.after = parsed
        }
        let page = try await orchestrator.payments(query)
        return JSONResponse.make(PaymentListResource(page: page))
    }

    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw Problem.invalidParameter("Idempotency-Key", "must be 1 to 255 visible ASCII characters")
        }
        return key
    }
}

extension APIRequestContext {
    func requireClient() throws -> APIClient {
        guard let client else { throw Problem.unauthorized }
        return client
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let traceParent = HTTPField.Name("traceparent")!
    static let bankSignature = HTTPField.Name("Bank-Signature")!
}
