import Hummingbird
import Logging
import NIOCore
import PaymentsCore

/// Turns every error that escapes a handler into an `application/problem+json` response, so clients never see an
/// HTML page or an empty 500. Unexpected errors are logged here, with details, and answered generically.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response()
        } catch let error as StoreError where error.code == .unavailable {
            context.logger.warning("Database unavailable", metadata: ["error": "\(error.debugDescription)"])
            return Problem.unavailable.response()
        } catch let error as StoreError where error.code == .rejectedValue {
            context.logger.notice(
                "A value was refused by the database", metadata: ["error": "\(error.debugDescription)"])
            return Problem(
                status: .unprocessableContent, slug: "validation-error", title: "Unprocessable content",
                detail: "A value in this request cannot be stored; nothing was recorded."
            ).response()
        } catch is NIOTooManyBytesError {
            return Problem(
                status: .contentTooLarge, slug: "payload-too-large", title: "Payload too large",
                detail: "The request body is larger than \(APILimits.maxBodyBytes) bytes."
            ).response()
        } catch let error as any HTTPResponseError {
            if error.status == .notFound, let allowed = RouteTable.allowedMethods(request.uri.path),
                !allowed.contains(request.method)
            {
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                return Problem(
                    status: .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
                    detail: "This resource answers \(allow).", headers: [.allow: allow]
                ).response()
            }
            let slug = error.status == .notFound ? "not-found" : "http-\(error.status.code)"
            let detail = error.status == .notFound ? "No such resource." : error.status.reasonPhrase
            let problem = Problem(status: error.status, slug: slug, title: error.status.reasonPhrase, detail: detail)
            return problem.response()
        } catch let error as RequestBodyUnreadable {
            // The client went away, or sent less than it announced: theirs, not ours. The answer rarely arrives.
            context.logger.info("Request body not received in full", metadata: ["error": "\(error.underlying)"])
            return Problem(
                status: .badRequest, slug: "incomplete-body", title: "Incomplete body",
                detail: "The request body was not received in full."
            ).response()
        } catch {
            context.logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(
                status: .internalServerError, slug: "internal-error", title: "Internal error",
                detail: "The request could not be completed; nothing was recorded if it was a creation."
            ).response()
        }
    }
}
