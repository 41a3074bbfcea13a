import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaymentsCore
import PaymentsOrchestrator
import PaymentsSupport

/// `/v1/webhook_endpoints`: where a client wants its events pushed. A client sees only its own endpoints; the signing
/// secret is shown when it is made (at registration and rotation) and never again.
public struct WebhookEndpointController<Store: PaymentStore>: Sendable {
    let store: Store
    let configuration: ClientWebhookConfiguration

    /// The most endpoints one client may register.
    static var maximumEndpoints: Int { 16 }

    /// Creates the controller.
    public init(store: Store, configuration: ClientWebhookConfiguration) {
        self.store = store
        self.configuration = configuration
    }

    /// Adds the routes to an authenticated group.
    public func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("webhook_endpoints", use: create)
        group.get("webhook_endpoints", use: list)
        group.get("webhook_endpoints/:endpoint_id", use: get)
        group.delete("webhook_endpoints/:endpoint_id", use: delete)
        group.post("webhook_endpoints/:endpoint_id/rotate_secret", use: rotateSecret)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        let body = try await RequestJSON.read(request, context: context)
        guard case .object(let fields) = body else {
            throw Problem.validation([FieldError(pointer: "", detail: "the body must be a JSON object")])
        }
        var errors: [FieldError] = []
        for key in fields.keys.sorted() where !["url", "events", "description"].contains(key) {
            errors.append(FieldError(pointer: "/" + key.jsonPointerEscaped, detail: "unknown field"))
        }
        var url: String?
        switch fields["url"] {
        case .string(let text):
            switch configuration.targets.check(url: text) {
            case .success(let target):
                switch await configuration.targets.resolve(target) {
                case .success: url = text
                case .failure(let problem): errors.append(FieldError(pointer: "/url", detail: problem.reason))
                }
            case .failure(let problem): errors.append(FieldError(pointer: "/url", detail: problem.reason))
            }
        case nil, .null: errors.append(FieldError(pointer: "/url", detail: "is required"))
        case .some(let other):
            errors.append(FieldError(pointer: "/url", detail: "must be a string; got a \(other.typeName)"))
        }
        let events = Self.parseEvents(fields["events"], errors: &errors)
        var description: String?
        switch fields["description"] {
        case nil, .null: break
        case .string(let text):
            if let problem = TextRules.problem(text, maximum: 200) {
                errors.append(FieldError(pointer: "/description", detail: problem))
            } else {
                description = text
            }
        case .some(let other):
            errors.append(FieldError(pointer: "/description", detail: "must be a string; got a \(other.typeName)"))
        }
        guard errors.isEmpty, let url else { throw Problem.validation(errors) }
        let endpoint = WebhookEndpoint(
            id: SecureRandom.uuid(), clientID: client.id, url: url, events: events, description: description,
            createdAt: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000))
        let secret = ClientWebhookSignature.newSecret()
        guard try await store.createEndpoint(endpoint, secret: secret, limit: Self.maximumEndpoints) else {
            throw Problem(
                status: .conflict, slug: "too-many-endpoints", title: "Too many endpoints",
                detail: "A client may register at most \(Self.maximumEndpoints) webhook endpoints; delete one first.")
        }
        context.logger.info(
            "Webhook endpoint registered",
            metadata: ["endpoint_id": "\(endpoint.id.lowercased)", "client_id": "\(client.id)"])
        return try JSONResponse.make(
            WebhookEndpointResource.json(endpoint, secret: secret), status: .created,
            headers: [.location: "/v1/webhook_endpoints/\(endpoint.id.lowercased)"])
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        let endpoints = try await store.endpoints(clientID: client.id)
        return try JSONResponse.make(
            JSONValue.object(["data": .array(endpoints.map { WebhookEndpointResource.json($0) })]))
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        guard let id = context.parameters.get("endpoint_id").flatMap(UUID.init(uuidString:)),
            let endpoint = try await store.endpoint(id: id, clientID: client.id)
        else { throw Problem.endpointNotFound }
        return try JSONResponse.make(WebhookEndpointResource.json(endpoint))
    }

    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        guard let id = context.parameters.get("endpoint_id").flatMap(UUID.init(uuidString:)),
            try await store.deleteEndpoint(id: id, clientID: client.id)
        else { throw Problem.endpointNotFound }
        context.logger.info("Webhook endpoint deleted", metadata: ["endpoint_id": "\(id.lowercased)"])
        return Response(status: .noContent)
    }

    @Sendable func rotateSecret(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        let now = Date()
        let secret = ClientWebhookSignature.newSecret()
        guard let id = context.parameters.get("endpoint_id").flatMap(UUID.init(uuidString:)),
            let endpoint = try await store.rotateSecret(
                id: id, clientID: client.id, secret: secret,
                previousUntil: now.addingTimeInterval(configuration.secretOverlap.timeInterval), now: now)
        else { throw Problem.endpointNotFound }
        context.logger.info("Webhook endpoint secret rotated", metadata: ["endpoint_id": "\(id.lowercased)"])
        return try JSONResponse.make(WebhookEndpointResource.json(endpoint, secret: secret))
    }

    /// `events`: absent, null or `["*"]` for every type, else a non-empty list of known types without repeats.
    static func parseEvents(_ value: JSONValue?, errors: inout [FieldError]) -> [ClientEventType]? {
        switch value {
        case nil, .null:
            return nil
        case .array(let items):
            if items == [.string("*")] { return nil }
            guard !items.isEmpty, items.count <= ClientEventType.allCases.count else {
                errors.append(
                    FieldError(
                        pointer: "/events",
                        detail: "must list 1 to \(ClientEventType.allCases.count) event types, or [\"*\"]"))
                return nil
            }
            var types: [ClientEventType] = []
            for (index, item) in items.enumerated() {
                guard case .string(let name) = item, let type = ClientEventType(rawValue: name) else {
                    let known = ClientEventType.allCases.map(\.rawValue).joined(separator: ", ")
                    errors.append(FieldError(pointer: "/events/\(index)", detail: "must be one of \(known)"))
                    continue
                }
                guard !types.contains(type) else {
                    errors.append(FieldError(pointer: "/events/\(index)", detail: "is listed twice"))
                    continue
                }
                types.append(type)
            }
            return types
        case .some(let other):
            errors.append(FieldError(pointer: "/events", detail: "must be an array; got a \(other.typeName)"))
            return nil
        }
    }
}

/// An endpoint as the API renders it.
enum WebhookEndpointResource {
    static func json(_ endpoint: WebhookEndpoint, secret: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(endpoint.id.lowercased), "url": .string(endpoint.url),
            "events": .array((endpoint.events?.map(\.rawValue) ?? ["*"]).map(JSONValue.string)),
            "description": endpoint.description.map(JSONValue.string) ?? .null,
            "status": .string(endpoint.status.rawValue), "created_at": .string(Timestamp.format(endpoint.createdAt)),
            "previous_secret_expires_at": endpoint.previousSecretExpiresAt.map { .string(Timestamp.format($0)) }
                ?? .null,
        ]
        if let secret { members["secret"] = .string(secret) }
        return .object(members)
    }
}

extension Problem {
    /// 404 for an endpoint that does not exist or belongs to another client.
    static let endpointNotFound = Problem(
        status: .notFound, slug: "not-found", title: "Not found", detail: "No webhook endpoint with this id.")
    /// 404 for an event that does not exist or belongs to another client.
    static let eventNotFound = Problem(
        status: .notFound, slug: "not-found", title: "Not found", detail: "No event with this id.")
}

extension String {
    /// The string as one JSON Pointer reference token (RFC 6901).
    var jsonPointerEscaped: String {
        replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
