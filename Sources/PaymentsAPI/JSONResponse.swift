import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PaymentsCore

/// Builds JSON responses with the API's encoder.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try JSONEncoder.api.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }

    /// A payment, written without `JSONEncoder` (the same bytes).
    static func make(_ resource: PaymentResource, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var json = JSONWriter(capacity: 768)
        resource.write(to: &json)
        return make(json, status: status, headers: headers)
    }

    /// A page of payments, written without `JSONEncoder` (the same bytes).
    static func make(_ resource: PaymentListResource, status: HTTPResponse.Status = .ok) -> Response {
        var json = JSONWriter(capacity: 768 * max(1, resource.page.payments.count))
        resource.write(to: &json)
        return make(json, status: status, headers: [:])
    }

    private static func make(_ json: JSONWriter, status: HTTPResponse.Status, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: json.buffer))
    }
}
