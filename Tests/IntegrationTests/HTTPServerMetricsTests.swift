import Foundation
import PaymentsCore
import Telemetry
import Testing

/// The request metrics of the client API and the webhook endpoint, and the series registered at zero, read from a
/// real server's `/metrics`.
@Suite("HTTP server metrics")
struct HTTPServerMetricsTests {
    static let duration = "http_server_request_duration_seconds"

    @Test("Before any traffic, the series dashboards and alerts read are on /metrics at zero")
    func registeredAtZero() async throws {
        var options = TestServer.Options()
        options.registry = MetricsRegistry()
        try await TestServer.with(options) { server in
            let text = try await server.request(.GET, "/metrics", key: nil).text
            for line in [
                // Each route's success, by template.
                #"\#(Self.duration)_count{http_request_method="POST",http_response_status_code="201",http_route="/v1/payments"} 0"#,
                #"\#(Self.duration)_count{http_request_method="GET",http_response_status_code="200",http_route="/v1/payments/{payment_id}"} 0"#,
                #"\#(Self.duration)_count{http_request_method="POST",http_response_status_code="200",http_route="/webhook/payments"} 0"#,
                #"\#(Self.duration)_count{http_request_method="DELETE",http_response_status_code="204",http_route="/v1/webhook_endpoints/{endpoint_id}"} 0"#,
                // The /metrics request itself is in flight while it renders.
                #"http_server_active_requests{http_request_method="GET"} 1"#,
                #"http_server_active_requests{http_request_method="POST"} 0"#,
                #"http_server_active_requests{http_request_method="_OTHER"} 0"#,
                // Returns by code and class, by client, and the entries they are a share of.
                #"payment_returns_total{return_class="unauthorized",return_code="R10"} 0"#,
                #"payment_returns_total{return_class="administrative",return_code="R03"} 0"#,
                #"payment_client_returns_total{client="globex",return_class="unauthorized"} 0"#,
                #"payment_entries_total{client="acme"} 0"#,
                #"payment_submission_delay_seconds_count 0"#,
                // Rejections by reason, bank calls by outcome, rate limiting by client, each data key.
                #"webhook_rejected_total{reason="signature_stale"} 0"#,
                #"webhook_rejected_total{reason="malformed_body"} 0"#,
                #"bank_request_duration_seconds_count{operation="submit",outcome="timeout"} 0"#,
                #"bank_request_duration_seconds_count{operation="status",outcome="server_error"} 0"#,
                #"api_rate_limited_total{client="acme"} 0"#,
            ] {
                #expect(text.contains(line + "\n"), "missing: \(line)")
            }
            #expect(!text.contains(#"outcome="throttled""#), "the bank client never makes a throttled call")
            try PromtoolCheck.metrics(text)
        }
    }

    @Test("After traffic, requests by route template, method and status; a scan of 1,000 random paths adds one route")
    func byRouteAndBounded() async throws {
        var options = TestServer.Options()
        options.registry = MetricsRegistry()
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "RED-1").json.string("payment_id"))
            #expect(try await server.request(.GET, "/v1/payments/\(id)").status == 200)
            #expect(try await server.request(.GET, "/v1/payments/\(UUID().lowercased)").status == 404)
            #expect(try await server.request(.DELETE, "/v1/payments").status == 405)
            #expect(try await server.request(.GET, "/v1/payments", key: nil).status == 401)
            #expect(try await server.sendWebhook("{}", secret: "whsec_forged").status == 401)
            // A method outside the known ones (the HTTP parser refuses made-up ones such as BREW before routing).
            #expect(try await server.request(.RAW(value: "PROPFIND"), "/healthz", key: nil).status == 405)
            let before = try await server.request(.GET, "/metrics", key: nil).text

            // A scanner: paths that match nothing, with and without a key, some with a /v1 prefix.
            var generator = SystemRandomNumberGenerator()
            for index in 0..<1_000 {
                let segment = String(UInt64.random(in: 0...UInt64.max, using: &generator), radix: 36)
                let path = ["/", "/v1/", "/v1/payments/\(segment)/", "/admin/"][index % 4] + segment
                let status = try await server.request(.GET, path, key: index.isMultiple(of: 2) ? nil : "sk_x").status
                #expect([401, 404].contains(status), "\(path) -> \(status)")
            }
            let after = try await server.request(.GET, "/metrics", key: nil).text
            let added = Self.routes(in: after).subtracting(Self.routes(in: before))
            #expect(added.count <= 1, "route values added by the scan: \(added.sorted())")

            for (series, count) in [
                (#"http_request_method="POST",http_response_status_code="201",http_route="/v1/payments""#, 1.0),
                (
                    #"http_request_method="GET",http_response_status_code="200",http_route="/v1/payments/{payment_id}""#,
                    1
                ),
                (
                    #"http_request_method="GET",http_response_status_code="404",http_route="/v1/payments/{payment_id}""#,
                    1
                ),
                (#"http_request_method="DELETE",http_response_status_code="405",http_route="NotFound""#, 1),
                (#"http_request_method="GET",http_response_status_code="401",http_route="/v1/payments""#, 1),
                (#"http_request_method="POST",http_response_status_code="401",http_route="/webhook/payments""#, 1),
                (#"http_request_method="_OTHER",http_response_status_code="405",http_route="NotFound""#, 1),
            ] {
                #expect(
                    MetricsEndpointTests.value("\(Self.duration)_count{\(series)}", in: after) == count, "\(series)")
            }
            let scanned = Self.routes(in: after).filter { !$0.hasPrefix("/") }
            #expect(scanned == ["NotFound"], "\(scanned)")
            try PromtoolCheck.metrics(after)
        }
    }

    /// The `http_route` values of the request histogram in an exposition.
    static func routes(in text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").filter { $0.hasPrefix(duration + "_count{") }.compactMap { line in
                line.firstRange(of: #"http_route=""#).map { range in
                    String(line[range.upperBound...].prefix { $0 != "\"" })
                }
            })
    }
}
