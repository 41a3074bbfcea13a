import Foundation
import NIOCore
import PaymentsCore
import PaymentsSupport
import Testing

@testable import BankSandbox

/// Pure pieces of the sandbox: signing, backoff, form parsing.
struct SandboxInternalsTests {
    @Test("The sandbox returns payments with codes of every NACHA class, so each return-rate alert can be exercised")
    func returnCodesCoverEveryClass() {
        #expect(Set(ACHReturn.all.map { ACHReturnClass(code: $0.code) }) == Set(ACHReturnClass.allCases))
    }

    @Test func signerMatchesAKnownHMACVector() {
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"secret",b"1700000000.{}",hashlib.sha256).hexdigest())'
        let signer = WebhookSigner(secrets: "secret")
        let body = Array("{}".utf8)
        #expect(
            signer.signature(timestamp: 1_700_000_000, body: body)
                == "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        )
        #expect(
            signer.headerValue(timestamp: 1_700_000_000, body: body)
                == "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        )
        #expect(
            WebhookSigner(secrets: "secret, older").signature(timestamp: 1_700_000_000, body: body)
                == signer.signature(timestamp: 1_700_000_000, body: body)
        )
    }

    @Test func backoffDoublesFromHalfASecondAndCapsAtThirtySeconds() {
        let policy = WebhookRetryPolicy.standard
        let waits = (1..<policy.maximumAttempts).map { policy.backoff(afterAttempt: $0) }
        #expect(
            waits == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30),
                .seconds(30), .seconds(30),
            ]
        )
        #expect(policy.maximumAttempts == 10)
    }

    @Test func formBodyDecodesPlusAndPercentEscapes() {
        let fields = FormBody.parse("grant_type=client_credentials&client_secret=a%2Bb+c&x=%zz&grant_type=other")
        #expect(fields["grant_type"] == "client_credentials")
        #expect(fields["client_secret"] == "a+b c")
        #expect(fields["x"] == "%zz")
    }

    @Test func basicCredentialsAreParsedAndComparedExactly() {
        let header = "Basic " + Data("sandbox-client:sandbox:secret".utf8).base64EncodedString()
        let credentials = ClientCredentials(authorization: header, form: [:])
        #expect(credentials == ClientCredentials(clientID: "sandbox-client", clientSecret: "sandbox:secret"))
        #expect(credentials?.matches(clientID: "sandbox-client", clientSecret: "sandbox:secret") == true)
        #expect(credentials?.matches(clientID: "sandbox-client", clientSecret: "sandbox:secre") == false)
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(ConstantTime.equals("abc", "abc"))
    }

    @Test func webhookEventEncodesNullsAndSecondPrecisionUTC() throws {
        let event = WebhookEvent(
            eventID: "evt_1",
            paymentID: "pay_1",
            bankRef: "BNK-000000000001",
            status: "processing",
            returnCode: nil,
            reason: nil,
            occurredAt: Date(timeIntervalSince1970: 1_795_514_400.75)
        )
        let text = String(decoding: event.jsonBody(), as: UTF8.self)
        #expect(
            text
                == #"{"bank_ref":"BNK-000000000001","event_id":"evt_1","occurred_at":"2026-11-24T10:00:00.750Z","#
                + #""payment_id":"pay_1","reason":null,"return_code":null,"status":"processing"}"#
        )
    }

    @Test func settlementPlanAdvancesOnSchedule() {
        let now = ContinuousClock.now
        let plan = SettlementPlan(
            now: now,
            wallNow: Date(),
            processingDelay: .milliseconds(100),
            settlementDelay: .milliseconds(300),
            outcome: .returned(ACHReturn.all[0])
        )
        #expect(plan.status(at: now) == "pending")
        #expect(plan.status(at: now + .milliseconds(100)) == "processing")
        #expect(plan.status(at: now + .milliseconds(399)) == "processing")
        #expect(plan.status(at: now + .milliseconds(400)) == "returned")
        #expect(plan.achReturn?.code == "R01")
    }

    @Test func aLateReturnFollowsCompletionAndMovesTheUpdateTime() {
        let now = ContinuousClock.now
        let wallNow = Date(timeIntervalSince1970: 1_800_000_000)
        let plan = SettlementPlan(
            now: now, wallNow: wallNow, processingDelay: .milliseconds(100), settlementDelay: .milliseconds(300),
            outcome: .completed, lateReturn: (after: .seconds(10), achReturn: ACHReturn.all[1])
        )
        #expect(plan.status(at: now + .milliseconds(400)) == "completed")
        #expect(plan.returnCode(at: now + .milliseconds(400)) == nil)
        #expect(plan.updatedDate(at: now + .milliseconds(400)) == wallNow.addingTimeInterval(0.4))
        #expect(plan.status(at: now + .milliseconds(10_400)) == "returned")
        #expect(plan.returnCode(at: now + .milliseconds(10_400)) == "R02")
        #expect(plan.updatedDate(at: now + .seconds(11)) == wallNow.addingTimeInterval(10.4))
        #expect(plan.updatedDate(at: now) == wallNow)
        // A payment returned at settlement gets no second return.
        let returned = SettlementPlan(
            now: now, wallNow: wallNow, processingDelay: .zero, settlementDelay: .zero,
            outcome: .returned(ACHReturn.all[0]), lateReturn: (after: .seconds(1), achReturn: ACHReturn.all[1])
        )
        #expect(returned.lateReturn == nil)
        #expect(returned.returnCode(at: now) == "R01")
    }

    @Test func settlementCursorsRoundTripAndOrderByTimeThenID() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000.123)
        let cursor = SettlementCursor(updatedAt: date, paymentID: "pay_1")
        #expect(cursor.text == "1800000000123_pay_1")
        let parsed = try #require(SettlementCursor(cursor.text))
        #expect(!(parsed < cursor) && !(cursor < parsed))
        #expect(SettlementCursor(updatedAt: date, paymentID: "pay_0") < cursor)
        #expect(cursor < SettlementCursor(updatedAt: date.addingTimeInterval(0.001), paymentID: "pay_0"))
        for bad in ["", "nonsense", "_pay", "-1_pay", "12_", String(repeating: "9", count: 30) + "_x"] {
            #expect(SettlementCursor(bad) == nil, "\(bad)")
        }
    }
}
