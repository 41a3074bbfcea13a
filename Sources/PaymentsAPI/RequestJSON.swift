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
        guard isJSON(request.headers[.contentType]) else {
            throw Problem(
                status: .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
                detail: "Send the body as application/json (charset, if given, utf-8)."
            )
        }
        let buffer = try await collectBody(request, context: context)
        do throws(JSONValue.ParseError) {
            return try JSONValue(parsing: buffer.readableBytesView)
        } catch {
            if let key = error.duplicateKey {
                let shown = key.unicodeScalars.count <= 64 && TextRules.problem(key, maximum: 64) == nil
                throw Problem.validation(
                    [FieldError(pointer: "", detail: "the body repeats a key" + (shown ? " (\"\(key)\")" : ""))],
                    detail: "The request body repeats a key within one object."
                )
            }
            throw Problem.validation(
                [FieldError(pointer: "", detail: "the body is not valid JSON")],
                detail: "The request body is not valid JSON."
            )
        }
    }

    /// The whole body, up to the context's limit; a body the client did not finish sending is
    /// ``RequestBodyUnreadable``.
    static func collectBody(_ request: Request, context: some RequestContext) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: context.maxUploadSize)
        } catch let error as NIOTooManyBytesError {
            throw error
        } catch {
            throw RequestBodyUnreadable(underlying: error)
        }
    }

    /// `application/json`, any case, with no parameter but `charset=utf-8` (RFC 8259 §11 defines none, and JSON is
    /// UTF-8); `application/jsonx` or `application/json-patch+json` are not JSON bodies we read.
    static func isJSON(_ header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingASCIIWhitespace().lowercased()
        }
        guard parts.first == "application/json" else { return false }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingASCIIWhitespace() }
            guard pair.count == 2, pair[0] == "charset", ["utf-8", "\"utf-8\""].contains(pair[1]) else { return false }
        }
        return true
    }
}
