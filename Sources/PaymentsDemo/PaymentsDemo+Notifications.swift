import AsyncHTTPClient
import Foundation
import NIOHTTP1
import PaymentsSupport

extension PaymentsDemo {
    /// The run's own webhook endpoint while it is registered: the receiver on 127.0.0.1, what it saw, and the
    /// endpoint's id and URL.
    struct NotificationWatch: Sendable {
        let receiver: DemoWebhookReceiver
        let log: DemoNotificationLog
        let endpointID: String
        let url: String
    }

    /// What starting to watch notifications came to.
    enum NotificationStart: Sendable {
        case watching(NotificationWatch)
        /// One line saying why the run goes on without.
        case unavailable(String)
    }

    /// The parts of the `201` to `POST /v1/webhook_endpoints` the run needs.
    private struct EndpointView: Decodable {
        let id: String
        let secret: String
    }

    /// Starts a receiver on 127.0.0.1 and registers it (`POST /v1/webhook_endpoints`) for every event type.
    func watchNotifications(client: HTTPClient) async -> NotificationStart {
        let path = "/demo/\(configuration.runID)"
        let log = DemoNotificationLog(path: path, clientRefPrefix: "DEMO-\(configuration.runID)-")
        let receiver: DemoWebhookReceiver
        do {
            receiver = try await DemoWebhookReceiver.start { log.receive($0) }
        } catch {
            return .unavailable("cannot listen on 127.0.0.1: \(Self.describe(error))")
        }
        let url = "http://127.0.0.1:\(receiver.port)\(path)"
        let body = JSONValue.object([
            "url": .string(url), "description": .string("payments demo run \(configuration.runID)"),
        ]).serialized
        let reason: String
        do {
            let response = try await send(.POST, "/v1/webhook_endpoints", body: Data(body), client: client)
            let problem = try? JSONDecoder().decode(DemoProblemView.self, from: response.body)
            switch response.status {
            case 201:
                if let endpoint = try? JSONDecoder().decode(EndpointView.self, from: response.body),
                    !endpoint.secret.isEmpty, !endpoint.id.isEmpty,
                    endpoint.id.utf8.allSatisfy({ Hex.value(ofDigit: $0) != nil || $0 == UInt8(ascii: "-") })
                {
                    log.verify(with: endpoint.secret)
                    return .watching(NotificationWatch(receiver: receiver, log: log, endpointID: endpoint.id, url: url))
                }
                reason = "POST /v1/webhook_endpoints answered HTTP 201 without an endpoint id and secret"
            case 404:
                reason = "the server does not push events (POST /v1/webhook_endpoints answered HTTP 404)"
            case 422:
                let detail = problem?.errors?.first { $0.pointer == "/url" }?.detail
                reason =
                    "the server refused an http endpoint on 127.0.0.1"
                    + (detail.map { " (url \($0))" } ?? "")
                    + "; a development server allows it with CLIENT_WEBHOOK_ALLOW_PRIVATE=true"
            default:
                reason =
                    "POST /v1/webhook_endpoints answered HTTP \(response.status)"
                    + (problem?.detail.map { ": \(Self.oneLine($0))" } ?? "")
            }
        } catch {
            reason = "POST /v1/webhook_endpoints: \(Self.describe(error))"
        }
        await receiver.stop()
        return .unavailable(reason)
    }

    /// Waits, if `waitForOutstanding`, until every settled payment's final status was notified, or no new event
    /// arrived for ``DemoConfiguration/notificationGrace`` (at most ``DemoConfiguration/wait`` in all); then deletes
    /// the endpoint, stops the receiver and counts.
    func finishNotifications(
        _ watch: NotificationWatch, payments: [DemoPaymentView], waitForOutstanding: Bool, client: HTTPClient
    ) async -> DemoSummary.Notifications {
        let settled = payments.filter(\.isTerminal).map { (paymentID: $0.paymentID, status: $0.status) }
        var waited = Duration.zero
        if waitForOutstanding && !settled.isEmpty {
            let started = ContinuousClock.now
            let deadline = started + max(configuration.notificationGrace, configuration.wait)
            var lastArrival = started
            var seen = watch.log.eventCount
            while !Task.isCancelled && watch.log.unnotified(settled) > 0 {
                let now = ContinuousClock.now
                let count = watch.log.eventCount
                if count != seen {
                    seen = count
                    lastArrival = now
                }
                guard now - lastArrival < configuration.notificationGrace, now < deadline else { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            waited = .now - started
        }
        // In a task of its own, so that it is made even when the run was interrupted.
        let deleted = await Task { await deleteEndpoint(watch.endpointID, client: client) }.value
        await watch.receiver.stop()
        var notifications = watch.log.notifications(for: payments, endpointURL: watch.url)
        notifications.waited = waited
        if !deleted { notifications.endpointLeftBehind = watch.endpointID }
        return notifications
    }

    /// `DELETE /v1/webhook_endpoints/{id}`; true when it is gone (`204`, or `404` if it already was).
    private func deleteEndpoint(_ id: String, client: HTTPClient) async -> Bool {
        guard let response = try? await send(.DELETE, "/v1/webhook_endpoints/\(id)", client: client) else {
            return false
        }
        return response.status == 204 || response.status == 404
    }

    /// The first line of a server's text, at most 200 characters.
    private static func oneLine(_ text: String) -> String {
        String((text.split(whereSeparator: \.isNewline).first ?? "").prefix(200))
    }
}
