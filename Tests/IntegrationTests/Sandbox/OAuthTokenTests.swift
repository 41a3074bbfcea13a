import BankSandbox
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `POST /oauth/token`: the client-credentials grant and token expiry.
struct OAuthTokenTests {
    /// `POST /oauth/token` with the client's credentials in HTTP Basic.
    private static func requestToken(
        _ client: SandboxClient, secret: String = "sandbox-secret", grant: String = "client_credentials"
    ) async throws -> TestResponse {
        let basic = "Basic " + Data("sandbox-client:\(secret)".utf8).base64EncodedString()
        return try await client.send(
            .POST, "/oauth/token", headers: [("Authorization", basic)], body: "grant_type=\(grant)"
        )
    }

    @Test func issuesABearerTokenForValidBasicCredentials() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await Self.requestToken(client)
            #expect(response.status == 200)
            let json = try response.json()
            let token = try #require(json["access_token"] as? String)
            #expect(token.count == 64)
            #expect(token.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 3600)
            #expect(response.headers.first(name: "Cache-Control") == "no-store")
            #expect(try await client.stats().tokensIssued == 1)
        }
    }

    @Test func acceptsCredentialsInTheFormBody() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await client.send(
                .POST,
                "/oauth/token",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret"
            )
            #expect(response.status == 200)
            #expect(try response.json()["access_token"] is String)
        }
    }

    @Test func refusesAWrongSecretWith401InvalidClient() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await Self.requestToken(client, secret: "wrong-secret")
            #expect(response.status == 401)
            #expect(try response.json()["error"] as? String == "invalid_client")
            #expect(try await client.stats().tokensIssued == 0)
        }
    }

    @Test func refusesAnUnsupportedGrantWith400() async throws {
        try await SandboxHarness.withSandbox { _, client in
            let response = try await Self.requestToken(client, grant: "password")
            #expect(response.status == 400)
            #expect(try response.json()["error"] as? String == "unsupported_grant_type")
        }
    }

    @Test func anIssuedTokenAuthorisesPaymentsUntilItExpires() async throws {
        var configuration = SandboxHarness.configuration(faults: SandboxFaults(tokenTTLSeconds: 3))
        let clock = SandboxClock()
        configuration.clock = clock
        try await SandboxHarness.withSandbox(configuration) { _, client in
            let token = try await client.accessToken()
            let bearer = ("Authorization", "Bearer \(token)")
            let accepted = try await client.submitPayment(
                idempotencyKey: "pay_ttl_1",
                body: SandboxClient.paymentBody(paymentID: "pay_ttl_1", clientRef: "INV-TTL-1"),
                auth: bearer
            )
            #expect(accepted.status == 201)

            clock.advance(by: .milliseconds(3300))
            let expired = try await client.submitPayment(
                idempotencyKey: "pay_ttl_2",
                body: SandboxClient.paymentBody(paymentID: "pay_ttl_2", clientRef: "INV-TTL-2"),
                auth: bearer
            )
            #expect(expired.status == 401)
            #expect(try expired.json()["error"] as? String == "invalid_token")
        }
    }
}
