import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PaymentsSupport

/// The sandbox's HTTP surface: the partner bank's API (`/oauth/token`, `/v1/payments`, `/v1/reports/settlements`),
/// the sandbox controls (`/sandbox/stats`, `/sandbox/faults`) and `/healthz`.
///
/// Handlers ask ``SandboxState`` for decisions and turn them into the responses the bank contract names; accepted
/// payments' webhook jobs are handed to the dispatcher through `jobs` without waiting for delivery.
struct SandboxRoutes: Sendable {
    let state: SandboxState
    /// The credentials it accepts.
    let configuration: BankSandboxConfiguration
    /// Every connection presented a client certificate that the TLS handshake verified against the client CA
    /// (mutual TLS): the certificate is then the credential, and no token or API key is needed.
    let clientCertificateVerified: Bool
    let jobs: AsyncStream<WebhookJob>.Continuation

    /// The longest an injected hang holds a request.
    static let maximumHang: Duration = .seconds(300)
    /// Payment bodies are small; anything bigger is refused with 413 before parsing.
    static let maximumPaymentBodySize = 64 * 1024
    /// Token and fault requests are tiny.
    static let maximumSmallBodySize = 16 * 1024

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in
            SandboxResponse.json(.ok, encoding: ["status": "ok"])
        }
        router.post("/oauth/token") { request, context in
            try await self.issueToken(request, context: context)
        }
        router.post("/v1/payments") { request, context in
            try await self.submitPayment(request, context: context)
        }
        router.get("/v1/payments/:payment_id") { request, context in
            try await self.paymentStatus(request, context: context)
        }
        router.get("/v1/reports/settlements") { request, context in
            await self.settlementReport(request, context: context)
        }
        router.get("/sandbox/stats") { _, _ in
            SandboxResponse.json(.ok, encoding: await self.state.stats)
        }
        router.get("/sandbox/faults") { _, _ in
            SandboxResponse.json(.ok, encoding: await self.state.faults)
        }
        router.post("/sandbox/faults") { request, context in
            try await self.updateFaults(request, context: context)
        }
        return router
    }

    // MARK: OAuth2

    private struct TokenResponse: Encodable {
        let accessToken: String
        let tokenType = "Bearer"
        let expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case tokenType = "token_type"
            case expiresIn = "expires_in"
        }
    }

    /// `POST /oauth/token` with the client-credentials grant.
    private func issueToken(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        guard await self.addLatency() else { return SandboxResponse.unavailable }
        let body = try await request.collectBody(upTo: Self.maximumSmallBodySize)
        let form = FormBody.parse(String(buffer: body))

        guard let credentials = ClientCredentials(authorization: request.headers[.authorization], form: form),
            credentials.matches(clientID: self.configuration.clientID, clientSecret: self.configuration.clientSecret)
        else {
            context.logger.info("Token request refused: invalid client credentials")
            return SandboxResponse.error(
                .unauthorized,
                "invalid_client",
                headers: [.wwwAuthenticate: #"Basic realm="bank-sandbox""#]
            )
        }
        guard form["grant_type"] == "client_credentials" else {
            return SandboxResponse.error(.badRequest, "unsupported_grant_type")
        }

        let issued = await self.state.issueToken()
        context.logger.debug("Access token issued", metadata: ["expires_in": "\(issued.expiresIn)"])
        // RFC 6749 §5.1: token responses must not be cached.
        return SandboxResponse.json(
            .ok,
            encoding: TokenResponse(accessToken: issued.token, expiresIn: issued.expiresIn),
            headers: [.cacheControl: "no-store"]
        )
    }

    // MARK: Payments

    /// `POST /v1/payments`: faults (hang, error, rate limit), then latency, idempotency and a new payment.
    private func submitPayment(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let faults = await self.state.faults
        guard await self.isAuthorized(request) else { return SandboxResponse.invalidToken }

        switch self.state.frontDoorFault(faults) {
        case .hang?:
            context.logger.info("Injected fault: holding the request without an answer")
            _ = await sleepUnlessShuttingDown(for: Self.maximumHang)
            return SandboxResponse.unavailable
        case .unavailable?:
            context.logger.info("Injected fault: answering 503")
            return SandboxResponse.unavailable
        case .rateLimited?:
            context.logger.info("Injected fault: answering 429")
            return SandboxResponse.error(.tooManyRequests, "rate_limited", headers: [.retryAfter: "1"])
        case nil:
            break
        }

        guard let idempotencyKey = request.headers[.idempotencyKey].map({ String($0.trimmingASCIIWhitespace()) }),
            !idempotencyKey.isEmpty, idempotencyKey.utf8.count <= 255
        else {
            return SandboxResponse.error(
                .badRequest,
                "invalid_request",
                reason: "Idempotency-Key header is required (at most 255 bytes)"
            )
        }
        let body = try await request.collectBody(upTo: Self.maximumPaymentBodySize)
        let submission: PaymentSubmission
        do throws(PaymentSubmission.ValidationError) {
            submission = try PaymentSubmission(json: Data(buffer: body))
        } catch {
            return SandboxResponse.error(.badRequest, "invalid_request", reason: error.reason)
        }

        var logger = context.logger
        logger[metadataKey: "payment_id"] = "\(submission.paymentID)"
        logger[metadataKey: "client_ref"] = "\(submission.clientRef)"
        // A bank finishes what it received even when the client stops waiting: the latency and the booking run in a
        // task of their own, which a closed connection does not cancel (graceful shutdown still cuts the latency).
        return await Task {
            await self.book(submission, idempotencyKey: idempotencyKey, latencyMs: faults.latencyMs, logger: logger)
        }.value
    }

    /// Books a valid submission after the latency fault: idempotency, duplicate detection, then a new payment.
    private func book(
        _ submission: PaymentSubmission, idempotencyKey: String, latencyMs: Int, logger: Logger
    ) async -> Response {
        var logger = logger
        if latencyMs > 0, !(await sleepUnlessShuttingDown(for: .milliseconds(latencyMs))) {
            return SandboxResponse.unavailable
        }
        switch await self.state.submit(submission, idempotencyKey: idempotencyKey) {
        case .replayed(let payment):
            if let bankRef = payment.bankRef { logger[metadataKey: "bank_ref"] = "\(bankRef)" }
            logger.info("Idempotent replay: answering with the original response")
            return SandboxResponse.json(HTTPResponse.Status(code: payment.statusCode), body: payment.responseBody)

        case .conflict:
            logger.warning("Idempotency-Key reused with a different body")
            return SandboxResponse.error(
                .conflict,
                "idempotency_conflict",
                reason: "Idempotency-Key was already used with a different body"
            )

        case .rejected(let payment, let duplicateOf):
            Self.logDuplicate(duplicateOf, logger: logger)
            logger.info("Payment rejected (injected fault)")
            return SandboxResponse.json(HTTPResponse.Status(code: payment.statusCode), body: payment.responseBody)

        case .accepted(let payment, let webhooks, let duplicateOf, let ambiguous):
            if let bankRef = payment.bankRef { logger[metadataKey: "bank_ref"] = "\(bankRef)" }
            Self.logDuplicate(duplicateOf, logger: logger)
            logger.info("Payment accepted")
            await self.dispatch(webhooks, logger: logger)
            if ambiguous {
                logger.info("Injected fault: payment recorded, answering 500")
                return SandboxResponse.error(.internalServerError, "internal_error")
            }
            return SandboxResponse.json(HTTPResponse.Status(code: payment.statusCode), body: payment.responseBody)
        }
    }

    /// `GET /v1/payments/{payment_id}`: the bank's current view, for reconciling payments whose webhook is late.
    private func paymentStatus(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard await self.addLatency() else { return SandboxResponse.unavailable }
        guard await self.isAuthorized(request) else { return SandboxResponse.invalidToken }
        let paymentID = try context.parameters.require("payment_id")
        guard let view = await self.state.paymentStatus(paymentID: paymentID) else {
            return SandboxResponse.error(.notFound, "not_found")
        }
        return SandboxResponse.json(.ok, body: Data(view.json.serialized))
    }

    /// `GET /v1/reports/settlements?since=&cursor=&limit=`: every payment the bank holds whose status changed at or
    /// after `since`, oldest change first, `limit` (default 500, at most 1000) to a page.
    private func settlementReport(_ request: Request, context: BasicRequestContext) async -> Response {
        guard await self.addLatency() else { return SandboxResponse.unavailable }
        guard await self.isAuthorized(request) else { return SandboxResponse.invalidToken }
        let query = request.uri.queryParameters
        var since: Date?
        if let text = query["since"] {
            guard let date = Timestamp.parse(String(text)) else {
                return SandboxResponse.error(.badRequest, "invalid_request", reason: "since must be an RFC 3339 time")
            }
            since = date
        }
        var cursor: SettlementCursor?
        if let text = query["cursor"] {
            guard let parsed = SettlementCursor(String(text)) else {
                return SandboxResponse.error(.badRequest, "invalid_request", reason: "cursor is not one this bank gave")
            }
            cursor = parsed
        }
        var limit = Self.defaultReportPageSize
        if let text = query["limit"] {
            guard let parsed = Int(text), (1...Self.maximumReportPageSize).contains(parsed) else {
                return SandboxResponse.error(
                    .badRequest, "invalid_request",
                    reason: "limit must be a whole number from 1 to \(Self.maximumReportPageSize)")
            }
            limit = parsed
        }
        let report = await self.state.settlementReport(since: since, after: cursor, limit: limit)
        return SandboxResponse.json(.ok, body: Data(report.json.serialized))
    }

    static let defaultReportPageSize = 500
    static let maximumReportPageSize = 1000

    /// Hands an accepted payment's webhooks to the dispatcher without waiting for delivery.
    private func dispatch(_ webhooks: SandboxState.WebhookScheduling, logger: Logger) async {
        switch webhooks {
        case .scheduled(let job):
            if case .terminated = self.jobs.yield(job) {
                // The dispatcher has stopped (shutdown): release the slot the state reserved.
                await self.state.webhookJobFinished()
                logger.notice("Webhook dispatcher stopped; this payment's webhooks will not be sent")
            }
        case .disabled:
            break
        case .overflow:
            logger.warning("Webhook queue full; this payment's webhooks will not be sent")
        }
    }

    private static func logDuplicate(_ duplicateOf: String?, logger: Logger) {
        guard let duplicateOf else { return }
        logger.warning(
            "Duplicate submission: this payment was already sent",
            metadata: ["duplicate_of_payment_id": "\(duplicateOf)"]
        )
    }

    // MARK: Sandbox controls

    /// `POST /sandbox/faults`: a partial update; answers the full faults now in force.
    private func updateFaults(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumSmallBodySize)
        do throws(ConfigurationError) {
            let faults = try await self.state.updateFaults(patch: Data(buffer: body))
            context.logger.info("Faults updated", metadata: ["faults": "\(faults)"])
            return SandboxResponse.json(.ok, encoding: faults)
        } catch {
            return SandboxResponse.error(.badRequest, "invalid_faults", reason: error.description)
        }
    }

    // MARK: Shared steps

    /// Applies the latency fault; `false` if the wait was cut short by shutdown.
    private func addLatency(_ faults: SandboxFaults? = nil) async -> Bool {
        let latency: Int
        if let faults {
            latency = faults.latencyMs
        } else {
            latency = await self.state.faults.latencyMs
        }
        guard latency > 0 else { return true }
        return await sleepUnlessShuttingDown(for: .milliseconds(latency))
    }

    /// A verified client certificate (mutual TLS), a bearer token issued here and unexpired, or the configured API key.
    private func isAuthorized(_ request: Request) async -> Bool {
        if self.clientCertificateVerified { return true }
        if let key = request.headers[.apiKey] {
            return ConstantTime.equals(key, self.configuration.apiKey)
        }
        guard let authorization = request.headers[.authorization] else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return await self.state.isTokenValid(String(parts[1].trimmingASCIIWhitespace()))
    }
}
