import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Builds the sandbox's JSON responses, so every handler answers with the exact bodies the bank contract names.
enum SandboxResponse {
    /// A JSON response with the given raw body (used to replay stored answers byte for byte).
    static func json(_ status: HTTPResponse.Status, body: Data, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }

    /// A JSON response encoding `value`.
    static func json(
        _ status: HTTPResponse.Status,
        encoding value: some Encodable,
        headers: HTTPFields = [:]
    ) -> Response {
        do {
            return Self.json(status, body: try SandboxJSON.encode(value), headers: headers)
        } catch {
            return Response(status: .internalServerError)
        }
    }

    /// `{"error": code}` plus `"reason"` when given.
    static func error(
        _ status: HTTPResponse.Status,
        _ code: String,
        reason: String? = nil,
        headers: HTTPFields = [:]
    ) -> Response {
        var fields = ["error": code]
        fields["reason"] = reason
        return Self.json(status, encoding: fields, headers: headers)
    }

    /// `503 {"error":"unavailable"}`: injected errors, hangs cut short by shutdown.
    static var unavailable: Response {
        Self.error(.serviceUnavailable, "unavailable")
    }

    /// `401 {"error":"invalid_token"}` for the payments API.
    static var invalidToken: Response {
        Self.error(.unauthorized, "invalid_token", headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
    }
}
