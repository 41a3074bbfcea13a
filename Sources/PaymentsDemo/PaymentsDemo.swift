import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Drives payments through a running payments server over its client API, as `payments demo` does: checks that the
/// server is up and takes the API key, sends ``DemoConfiguration/count`` `POST /v1/payments` (a share of them
/// deliberately invalid, each valid one with its own `Idempotency-Key`) with ``DemoConfiguration/concurrency``
/// in flight, then polls `GET /v1/payments/{id}` until every accepted payment is completed, returned or failed, or
/// ``DemoConfiguration/wait`` passes.
///
/// With ``DemoConfiguration/notifications``, it also registers a webhook endpoint of its own (a receiver on
/// 127.0.0.1), verifies the signature of every event the server pushes to it, checks that each settled payment's final
/// status was notified, and deletes the endpoint at the end. A server that cannot take the endpoint (no
/// `/v1/webhook_endpoints`, or refusing an `http` loopback URL) leaves the run going without, saying why.
///
/// Nothing is retried: the run reports what the server did. Cancelling the task (Ctrl-C in `payments demo`) stops
/// sending and polling and returns what was seen so far, marked ``DemoSummary/interrupted``.
public struct PaymentsDemo: Sendable {
    /// The run's settings.
    public let configuration: DemoConfiguration
    private let httpClient: HTTPClient?

    /// Creates a run; without `httpClient` it makes (and shuts down) its own.
    public init(configuration: DemoConfiguration, httpClient: HTTPClient? = nil) {
        self.configuration = configuration
        self.httpClient = httpClient
    }

    /// Runs the demo, reporting progress as it goes (from one task at a time).
    ///
    /// - Throws: ``DemoError`` when the server cannot be reached, is not healthy or refuses the key; nothing has been
    ///   sent then. Whatever goes wrong after that is counted in the summary instead.
    public func run(progress: @escaping @Sendable (DemoProgress) -> Void = { _ in }) async throws -> DemoSummary {
        if let httpClient { return try await run(client: httpClient, progress: progress) }
        var clientConfiguration = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(3)),
            connectionPool: .init(
                idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.concurrency)
        )
        // A refused connection fails the request at once rather than being retried until its deadline: the demo
        // reports what happened instead of hiding it.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let result: Result<DemoSummary, any Error>
        do {
            result = .success(try await run(client: client, progress: progress))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return try result.get()
    }

    private func run(client: HTTPClient, progress: @escaping @Sendable (DemoProgress) -> Void) async throws
        -> DemoSummary
    {
        let started = ContinuousClock.now
        try await preflight(client)
        var summary = DemoSummary(runID: configuration.runID, url: configuration.displayURL)
        summary.wait = configuration.wait
        var watch: NotificationWatch?
        if configuration.notifications {
            switch await watchNotifications(client: client) {
            case .watching(let started): watch = started
            case .unavailable(let reason): summary.notifications = .unavailable(reason: reason)
            }
        }
        var latencies: [Duration] = []
        var accepted: [(request: DemoRequest, payment: DemoPaymentView)] = []

        func report(_ phase: DemoProgress.Phase, terminal: [String: Int] = [:]) {
            progress(
                DemoProgress(
                    phase: phase, sent: summary.sent, count: configuration.count, accepted: summary.accepted,
                    rejectedAsExpected: summary.rejectedAsExpected, errors: summary.unexpectedErrors,
                    terminal: terminal,
                    elapsed: .now - started
                )
            )
        }

        // Phase 1: the create requests, `concurrency` at a time, in request order.
        report(.creating)
        let requests = DemoRequest.plan(configuration)
        await withTaskGroup(of: (DemoRequest, CreateOutcome).self) { group in
            var next = requests.makeIterator()
            for _ in 0..<configuration.concurrency {
                guard let request = next.next() else { break }
                group.addTask { (request, await create(request, client: client)) }
            }
            while let (request, outcome) = await group.next() {
                switch outcome {
                case .accepted(let payment, let latency):
                    summary.sent += 1
                    summary.accepted += 1
                    latencies.append(latency)
                    accepted.append((request, payment))
                case .rejectedAsExpected(let flaw):
                    summary.sent += 1
                    summary.rejectedAsExpected += 1
                    summary.rejectedByFlaw[flaw, default: 0] += 1
                case .unexpected(let reason):
                    summary.sent += 1
                    summary.createErrors[reason, default: 0] += 1
                case .cancelled:
                    summary.interrupted = true
                }
                report(.creating)
                if !Task.isCancelled, let request = next.next() {
                    group.addTask { (request, await create(request, client: client)) }
                }
            }
        }
        if Task.isCancelled { summary.interrupted = true }
        summary.createLatency = LatencyStatistics(latencies)
        accepted.sort { $0.request.number < $1.request.number }

        // Phase 2: poll the accepted payments until each is terminal or the wait is over.
        var latest = accepted.map(\.payment)
        var open = Set(latest.indices.filter { !latest[$0].isTerminal })
        func terminalCounts() -> [String: Int] {
            latest.filter(\.isTerminal).reduce(into: [:]) { counts, payment in counts[payment.status, default: 0] += 1 }
        }
        if configuration.wait > .zero && !summary.interrupted && !accepted.isEmpty {
            summary.waited = true
            let deadline = ContinuousClock.now + configuration.wait
            report(.settling, terminal: terminalCounts())
            while !open.isEmpty && !Task.isCancelled {
                let round = await poll(open.sorted().map { ($0, latest[$0].paymentID) }, client: client)
                for (index, result) in round {
                    switch result {
                    case .success(let payment):
                        latest[index] = payment
                        if payment.isTerminal { open.remove(index) }
                    case .failure(let error):
                        // A poll cut short by an interruption is not the server's fault.
                        if !Task.isCancelled { summary.pollErrors[error.reason, default: 0] += 1 }
                    }
                }
                report(.settling, terminal: terminalCounts())
                let now = ContinuousClock.now
                guard !open.isEmpty, now < deadline else { break }
                try? await Task.sleep(for: min(configuration.pollInterval, deadline - now))
            }
            if Task.isCancelled && !open.isEmpty { summary.interrupted = true }
        }

        for (index, item) in accepted.enumerated() {
            let payment = latest[index]
            summary.payments.append(
                .init(paymentID: payment.paymentID, clientRef: item.request.clientRef, status: payment.status))
            if payment.isTerminal {
                summary.finalStatuses[payment.status, default: 0] += 1
            } else {
                summary.notTerminal[payment.status, default: 0] += 1
            }
        }
        summary.timeToTerminal = LatencyStatistics(latest.filter(\.isTerminal).compactMap(\.timeToTerminal))
        if let watch {
            // Events may still be on their way for the payments that settled last.
            let notifications = await finishNotifications(
                watch, payments: latest, waitForOutstanding: !summary.interrupted && !Task.isCancelled, client: client)
            if Task.isCancelled { summary.interrupted = true }
            summary.notifications = .checked(notifications)
        }
        summary.elapsed = .now - started
        return summary
    }

    // MARK: Steps

    /// How one create request went.
    private enum CreateOutcome: Sendable {
        case accepted(DemoPaymentView, latency: Duration)
        case rejectedAsExpected(DemoRequest.Flaw)
        case unexpected(String)
        case cancelled
    }

    /// `GET /healthz` (is anything there), then `GET /v1/payments?limit=1` (is it the payments API, and does it take
    /// the key).
    private func preflight(_ client: HTTPClient) async throws {
        let url = configuration.displayURL
        let health: Response
        do {
            health = try await send(.GET, "/healthz", authenticated: false, client: client)
        } catch {
            throw DemoError(.unreachable(reason: Self.describe(error)), url: url)
        }
        guard health.status == 200 else { throw DemoError(.unhealthy(status: health.status), url: url) }
        let list: Response
        do {
            list = try await send(.GET, "/v1/payments?limit=1", client: client)
        } catch {
            throw DemoError(.unreachable(reason: Self.describe(error)), url: url)
        }
        switch list.status {
        case 200: return
        case 401: throw DemoError(.unauthorized, url: url)
        default: throw DemoError(.unexpectedResponse(request: "GET /v1/payments", status: list.status), url: url)
        }
    }

    private func create(_ request: DemoRequest, client: HTTPClient) async -> CreateOutcome {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await send(
                .POST, "/v1/payments", body: request.body, idempotencyKey: request.idempotencyKey, client: client
            )
        } catch {
            if Task.isCancelled { return .cancelled }
            return .unexpected("no answer: \(Self.describe(error))")
        }
        let latency = ContinuousClock.now - started
        switch (request.kind, response.status) {
        case (.valid, 201):
            guard let payment = try? JSONDecoder().decode(DemoPaymentView.self, from: response.body) else {
                return .unexpected("HTTP 201 without a payment in the body")
            }
            return .accepted(payment, latency: latency)
        case (.valid, 200):
            return .unexpected("HTTP 200 (an earlier payment replayed) for a new payment")
        case (.valid, let status):
            return .unexpected("HTTP \(status) for a valid payment")
        case (.invalid(let flaw), 422):
            guard response.contentType?.lowercased().hasPrefix("application/problem+json") == true else {
                return .unexpected("HTTP 422 without application/problem+json for a \(flaw.label)")
            }
            guard let problem = try? JSONDecoder().decode(DemoProblemView.self, from: response.body),
                problem.names(flaw.pointer)
            else {
                return .unexpected("HTTP 422 without an error at \(flaw.pointer) for a \(flaw.label)")
            }
            return .rejectedAsExpected(flaw)
        case (.invalid(let flaw), let status):
            return .unexpected("HTTP \(status) for a \(flaw.label)")
        }
    }

    /// One polling round: `GET /v1/payments/{id}` for each payment, `concurrency` at a time.
    private func poll(_ payments: [(Int, String)], client: HTTPClient) async -> [(
        Int, Result<DemoPaymentView, PollError>
    )] {
        await withTaskGroup(of: (Int, Result<DemoPaymentView, PollError>).self) { group in
            var results: [(Int, Result<DemoPaymentView, PollError>)] = []
            var next = payments.makeIterator()
            for _ in 0..<configuration.concurrency {
                guard let (index, id) = next.next() else { break }
                group.addTask { (index, await fetch(id, client: client)) }
            }
            while let result = await group.next() {
                results.append(result)
                if !Task.isCancelled, let (index, id) = next.next() {
                    group.addTask { (index, await fetch(id, client: client)) }
                }
            }
            return results
        }
    }

    /// A failed poll's reason.
    private struct PollError: Error {
        let reason: String
    }

    private func fetch(_ id: String, client: HTTPClient) async -> Result<DemoPaymentView, PollError> {
        do {
            let response = try await send(.GET, "/v1/payments/\(id)", client: client)
            guard response.status == 200 else { return .failure(PollError(reason: "HTTP \(response.status)")) }
            guard let payment = try? JSONDecoder().decode(DemoPaymentView.self, from: response.body) else {
                return .failure(PollError(reason: "HTTP 200 without a payment in the body"))
            }
            return .success(payment)
        } catch {
            return .failure(PollError(reason: Task.isCancelled ? "cancelled" : "no answer: \(Self.describe(error))"))
        }
    }
}
