import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PaymentsCore
import PaymentsSupport

/// `/v1/events`: a client's event feed, oldest first with a cursor that never skips an event; one event with its
/// delivery attempts; and redelivery on demand.
public struct EventController<Store: PaymentStore>: Sendable {
    let store: Store

    /// Creates the controller.
    public init(store: Store) {
        self.store = store
    }

    /// Adds the routes to an authenticated group.
    public func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("events", use: list)
        group.get("events/:event_id", use: get)
        group.post("events/:event_id/redeliver", use: redeliver)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        let parameters = request.uri.queryParameters
        var query = EventQuery(clientID: client.id)
        try ListQuery.checkNames(parameters, allowed: ["after", "type", "limit"])
        if let after = parameters.get("after") {
            guard let cursor = EventCursor(token: after) else {
                throw Problem.invalidParameter("after", "is not a cursor this API returned")
            }
            query.after = cursor
        }
        if let type = parameters.get("type") {
            guard let parsed = ClientEventType(rawValue: type) else {
                let known = ClientEventType.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.invalidParameter("type", "must be one of \(known)")
            }
            query.type = parsed
        }
        if let limit = try ListQuery.limit(parameters) { query.limit = limit }
        let page = try await store.events(query)
        return try JSONResponse.make(
            JSONValue.object([
                "data": .array(page.events.map(ClientEventDocument.json)), "next_cursor": .string(page.next.token),
                "has_more": .bool(page.hasMore),
            ]))
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        guard let id = context.parameters.get("event_id").flatMap(UUID.init(uuidString:)),
            let (event, attempts) = try await store.event(id: id, clientID: client.id)
        else { throw Problem.eventNotFound }
        var members = ClientEventDocument.members(event)
        members["delivery_attempts"] = .array(
            attempts.map { attempt in
                .object([
                    "endpoint_id": .string(attempt.endpointID.lowercased), "at": .string(Timestamp.format(attempt.at)),
                    "status_code": attempt.statusCode.map { .integer(Int64($0)) } ?? .null,
                    "latency_ms": .integer(attempt.latency.wholeMilliseconds),
                    "error": attempt.error.map(JSONValue.string) ?? .null,
                ])
            })
        return try JSONResponse.make(JSONValue.object(members))
    }

    @Sendable func redeliver(_ request: Request, context: APIRequestContext) async throws -> Response {
        let client = try context.requireClient()
        guard let id = context.parameters.get("event_id").flatMap(UUID.init(uuidString:)),
            let queued = try await store.redeliver(eventID: id, clientID: client.id, now: Date())
        else { throw Problem.eventNotFound }
        context.logger.info(
            "Event queued for redelivery", metadata: ["event_id": "\(id.lowercased)", "deliveries": "\(queued)"])
        return try JSONResponse.make(
            JSONValue.object(["event_id": .string(id.lowercased), "deliveries_queued": .integer(Int64(queued))]),
            status: .accepted)
    }
}
