import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PaymentsCore

/// An RFC 9457 problem, thrown by handlers and rendered as `application/problem+json` by ``ProblemMiddleware``.
public struct Problem: Error, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable slug naming the kind of problem; rendered as `/problems/<slug>`.
    public var slug: String
    /// A short summary of the kind.
    public var title: String
    /// What went wrong this time. Never contains a secret or a submitted value.
    public var detail: String
    /// Field-level problems, for validation failures.
    public var errors: [ProblemFieldError]
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    /// Creates a problem.
    public init(
        status: HTTPResponse.Status, slug: String, title: String, detail: String, errors: [ProblemFieldError] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// 422 with every field at fault.
    public static func validation(_ errors: [FieldError], detail: String = "The request body is not valid.") -> Problem
    {
        Problem(
            status: .unprocessableContent, slug: "validation-error", title: "Invalid request", detail: detail,
            errors: errors.map { ProblemFieldError(pointer: $0.pointer, detail: $0.detail) }
        )
    }

    /// 422 for a query parameter or header.
    public static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem(
            status: .unprocessableContent, slug: "validation-error", title: "Invalid request",
            detail: "The \(name) parameter is not valid.", errors: [ProblemFieldError(parameter: name, detail: detail)]
        )
    }

    /// 401 for a missing or unknown API key.
    public static let unauthorized = Problem(
        status: .unauthorized, slug: "unauthorized", title: "Unauthorized",
        detail: "Send a valid API key as Authorization: Bearer <key>.",
        headers: [.wwwAuthenticate: "Bearer realm=\"payments\""]
    )

    /// 404 for a payment that does not exist or belongs to another client.
    public static let paymentNotFound = Problem(
        status: .notFound, slug: "not-found", title: "Not found", detail: "No payment with this id."
    )

    /// 503 when the database cannot be reached; nothing was written.
    public static let unavailable = Problem(
        status: .serviceUnavailable, slug: "service-unavailable", title: "Service unavailable",
        detail: "The payment database is unavailable; nothing was recorded. Retry later.",
        headers: [.retryAfter: "1"]
    )

    /// The response for this problem.
    public func response() -> Response {
        var headers = headers
        headers[.contentType] = "application/problem+json"
        let encoded = ProblemBody(
            type: "/problems/\(slug)", title: title, status: Int(status.code), detail: detail,
            errors: errors.isEmpty ? nil : errors
        )
        let data = (try? JSONEncoder.api.encode(encoded)) ?? Data()
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }
}

/// One entry of a problem's `errors`: a body field by JSON Pointer, or a query parameter or header by name.
public struct ProblemFieldError: Sendable, Hashable, Encodable {
    /// RFC 6901 pointer into the request body.
    public var pointer: String?
    /// The query parameter or header at fault.
    public var parameter: String?
    /// What is wrong.
    public var detail: String

    /// A body field error.
    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }

    /// A query parameter or header error.
    public init(parameter: String, detail: String) {
        self.parameter = parameter
        self.detail = detail
    }
}

struct ProblemBody: Encodable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var errors: [ProblemFieldError]?
}

extension JSONEncoder {
    /// Sorted keys keep responses stable for clients, tests and diffs.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
