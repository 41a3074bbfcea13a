import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PaymentsCore
import PaymentsSupport

/// Reads a JSON request body into a ``JSONValue``, refusing other content types, oversized bodies and malformed JSON
/// with a problem that says which.
enum RequestJSON {
    static func read(_ request: Request, context: some RequestContext) async throws -> JSONValue {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw Problem(
                status: .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as application/json."
            )
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try JSONValue(parsing: buffer.readableBytesView)
        } catch {
            throw Problem.validation(
                [FieldError(pointer: "", detail: "the body is not valid JSON")],
                detail: "The request body is not valid JSON."
            )
        }
    }
}
