import AsyncHTTPClient
import Foundation
import NIOCore
import PaymentsCore
import PaymentsSupport
import Synchronization
import Testing

@testable import PaymentsDemo

@Suite("payments demo")
struct DemoCommandTests {
    @Test(
        "A demo run against a real server: every answer as expected, every accepted payment terminal, counts as the server reports them"
    )
    func demoAgainstRealServer() async throws {
        var options = TestServer.Options.embedded(logLevel: .info)
        // Some payments returned and some rejected by the bank, so that the run ends in more than one status.
        options.sandbox.faults.returnRate = 0.2
        options.sandbox.faults.rejectRate = 0.1
        try await TestServer.with(options) { server in
            let configuration = try DemoConfiguration(
                url: server.baseURL + "/", apiKey: TestClients.acmeKey, count: 30, concurrency: 6, badRequestShare: 0.2,
                wait: .seconds(30), runID: "T\(UInt16.random(in: .min ... .max))"
            )
            let reports = Mutex<[DemoProgress]>([])
            let summary = try await PaymentsDemo(configuration: configuration).run { progress in
                reports.withLock { $0.append(progress) }
            }

            // The requests add up.
            #expect(summary.sent == 30)
            #expect(summary.rejectedAsExpected == 6)
            #expect(summary.accepted == 24)
            #expect(summary.accepted + summary.rejectedAsExpected == summary.sent)
            #expect(summary.unexpectedErrors == 0, "\(summary.createErrors) \(summary.pollErrors)")
            #expect(summary.rejectedByFlaw.values.reduce(0, +) == 6)
            #expect(Set(summary.rejectedByFlaw.keys) == Set(DemoRequest.Flaw.allCases))
            // Every accepted payment settled, and the statuses add up.
            #expect(summary.notTerminalCount == 0)
            #expect(summary.terminalCount == summary.accepted)
            #expect(Set(summary.finalStatuses.keys).isSubset(of: ["completed", "returned", "failed"]))
            #expect(summary.createLatency.count == 24)
            #expect(summary.timeToTerminal.count == 24)
            #expect(summary.succeeded)
            #expect(summary.payments.count == 24)
            #expect(Set(summary.payments.map(\.clientRef)).count == 24)

            // The server agrees: exactly the accepted payments exist for this run, in the statuses the summary counts.
            let listed = try await listPayments(server, clientRefPrefix: "DEMO-\(configuration.runID)-")
            #expect(listed.count == summary.accepted)
            var byStatus: [String: Int] = [:]
            for payment in listed { byStatus[payment.string("status") ?? "?", default: 0] += 1 }
            #expect(byStatus == summary.finalStatuses)
            #expect(Set(listed.compactMap { $0.string("client_ref") }) == Set(summary.payments.map(\.clientRef)))
            let recipients = Set(
                listed.compactMap { ($0["recipient"] as? [String: any Sendable])?.keys.sorted().joined(separator: ",") }
            )
            #expect(recipients.count == 3, "bank accounts, Zelle e-mail and Zelle phone: \(recipients)")
            // Each valid create carried its own Idempotency-Key: sending one again replays the payment, creates nothing.
            let first = try #require(DemoRequest.plan(configuration).first { $0.isValid })
            let replay = try await server.request(
                .POST, "/v1/payments", body: String(decoding: first.body, as: UTF8.self),
                headers: [("Idempotency-Key", first.idempotencyKey)]
            )
            #expect(replay.status == 200)

            // Notifications, on by default against a server on loopback: every settled payment's final status arrived,
            // every signature was valid, and the run's endpoint is gone.
            let notifications = try #require(summary.checkedNotifications, "\(summary.notifications)")
            #expect(notifications.settled == 24)
            #expect(notifications.notified == 24)
            #expect(notifications.rejected == 0)
            #expect(notifications.received >= 2 * 24, "at least the creation and the final status of each")
            #expect(
                notifications.verified
                    == notifications.received + notifications.redelivered + notifications.otherEvents)
            #expect(notifications.lag.count == 24)
            #expect(notifications.endpointLeftBehind == nil)
            #expect(notifications.endpointURL.hasPrefix("http://127.0.0.1:"))
            let endpoints = try await server.request(.GET, "/v1/webhook_endpoints").json["data"] as? [Any]
            #expect(endpoints?.isEmpty == true, "the run deletes its endpoint: \(String(describing: endpoints))")

            // Progress was reported through both phases and ended complete.
            let seen = reports.withLock { $0 }
            #expect(seen.first?.phase == .creating)
            #expect(seen.last?.phase == .settling)
            #expect(seen.last?.isPhaseComplete == true)
            #expect(seen.filter { $0.phase == .creating }.last?.sent == 30)

            // The summary text shows the counts and the percentiles, and no key.
            let text = summary.text
            for expected in [
                "sent", "accepted (201)", "rejected as expected (422)", "unexpected errors", "p50", "p95", "p99",
                "Notifications: notified 24 of 24 settled payments; 0 bad signatures", "notification lag", "Result: OK",
            ] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
            #expect(!text.contains(TestClients.acmeKey))
        }
    }

    @Test(
        "The command prints the summary on stdout and plain progress lines on stderr, exits 0, and never shows the key")
    func commandLine() async throws {
        let options = TestServer.Options.embedded(logLevel: .info)
        try await TestServer.with(options) { server in
            let run = try await runDemo(
                [
                    "demo", "--url", server.baseURL, "--count", "8", "--concurrency", "2", "--bad-request-share",
                    "0.25", "--wait", "20",
                ],
                environment: ["PAYMENTS_API_KEY": TestClients.acmeKey]
            )
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(count("accepted (201)", in: run.stdout) == 6, "\(run.stdout)")
            #expect(count("rejected as expected (422)", in: run.stdout) == 2, "\(run.stdout)")
            #expect(count("unexpected errors", in: run.stdout) == 0, "\(run.stdout)")
            #expect(run.stdout.contains("Result: OK"))
            #expect(!run.stdout.contains("settling"), "progress belongs on stderr")
            // Not a terminal: whole lines, no carriage returns or escape sequences.
            #expect(run.stderr.contains("creating"))
            #expect(run.stderr.contains("settling"))
            #expect(!run.stderr.contains("\r") && !run.stderr.contains("\u{1B}"))
            #expect(!(run.stdout + run.stderr).contains(TestClients.acmeKey))
            #expect(run.stdout.contains("Notifications: notified 6 of 6 settled payments; 0 bad signatures"))
            #expect(!(run.stdout + run.stderr).contains("whsec_"), "the endpoint's secret is never shown")

            // --no-notifications: no endpoint, no notifications section.
            let quiet = try await runDemo(
                ["demo", "--url", server.baseURL, "--count", "2", "--wait", "20", "--no-notifications"],
                environment: ["PAYMENTS_API_KEY": TestClients.acmeKey]
            )
            #expect(quiet.status == 0, "\(quiet.stdout)\n\(quiet.stderr)")
            #expect(!quiet.stdout.contains("Notifications"), "\(quiet.stdout)")
        }
    }

    @Test("A server refusing the demo's http endpoint: the run goes on without notifications and says so in one line")
    func notificationsRefused() async throws {
        var options = TestServer.Options.embedded(logLevel: .info)
        options.notifications.targets = WebhookTargetPolicy(allowPrivate: false)
        try await TestServer.with(options) { server in
            let configuration = try DemoConfiguration(
                url: server.baseURL, apiKey: TestClients.acmeKey, count: 4, concurrency: 2, badRequestShare: 0,
                wait: .seconds(20))
            #expect(configuration.notifications)
            let summary = try await PaymentsDemo(configuration: configuration).run()
            guard case .unavailable(let reason) = summary.notifications else {
                Issue.record("notifications: \(summary.notifications)")
                return
            }
            #expect(reason.contains("refused an http endpoint on 127.0.0.1"), "\(reason)")
            #expect(reason.contains("CLIENT_WEBHOOK_ALLOW_PRIVATE"), "\(reason)")
            #expect(summary.accepted == 4)
            #expect(summary.terminalCount == 4)
            #expect(summary.succeeded, "\(summary.failures)")
            let lines = summary.text.split(separator: "\n").filter { $0.contains("Notifications") }.map(String.init)
            #expect(lines == ["Notifications: not checked: \(reason)"], "\(summary.text)")
        }
    }

    @Test("The demo's receiver: 204 for a valid signature, 400 for a bad one, 413 past 1 MiB, and it stops")
    func receiver() async throws {
        let log = DemoNotificationLog(path: "/demo/r1", clientRefPrefix: "DEMO-r1-")
        log.verify(with: "whsec_receiver")
        let receiver = try await DemoWebhookReceiver.start { log.receive($0) }
        let url = "http://127.0.0.1:\(receiver.port)"
        func post(
            _ path: String, body: [UInt8], signedWith secret: String, at date: Date = Date(),
            timeout: TimeAmount = .seconds(10)
        ) async throws -> Int {
            var request = HTTPClientRequest(url: url + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Payments-Event-Id", value: UUID().uuidString.lowercased())
            request.headers.add(
                name: "Payments-Signature",
                value: ClientWebhookSignature.header(
                    secrets: [secret], timestamp: Int64(date.timeIntervalSince1970), body: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 1024)
            return Int(response.status.code)
        }
        let event = Array(
            #"{"id":"e1","type":"payment.completed","data":{"payment":{"payment_id":"p1","client_ref":"DEMO-r1-0001","status":"completed"}}}"#
                .utf8)
        #expect(try await post("/demo/r1", body: event, signedWith: "whsec_receiver") == 204)
        #expect(try await post("/demo/r1", body: event, signedWith: "whsec_guess") == 400)
        #expect(
            try await post("/demo/r1", body: event, signedWith: "whsec_receiver", at: Date().addingTimeInterval(-600))
                == 400)
        #expect(try await post("/elsewhere", body: event, signedWith: "whsec_receiver") == 404)
        let large = Array(repeating: UInt8(ascii: " "), count: DemoWebhookReceiver.maximumBodyBytes + 1)
        #expect(try await post("/demo/r1", body: large, signedWith: "whsec_receiver") == 413)
        // The connection after a 413 is a new one, and still served.
        #expect(try await post("/demo/r1", body: event, signedWith: "whsec_receiver") == 204)

        let counts = log.notifications(for: [], endpointURL: url)
        #expect(counts.verified == 2)
        #expect(counts.received == 2)
        #expect(counts.rejectedByReason == ["wrong signature": 1, "timestamp older or newer than 5 min": 1])

        await receiver.stop()
        await #expect(throws: (any Error).self) {
            _ = try await post("/demo/r1", body: event, signedWith: "whsec_receiver", timeout: .seconds(1))
        }
    }

    @Test("An unreachable server gives one clear line naming it and a non-zero exit, without echoing the key")
    func unreachableServer() async throws {
        let url = "http://127.0.0.1:\(freePort())"
        let run = try await runDemo(
            ["demo", "--url", url, "--count", "5"], environment: ["PAYMENTS_API_KEY": "sk_unreachable_0123456789"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty, "\(run.stdout)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot reach the payments server at \(url)"), "\(run.stderr)")
        #expect(run.stderr.contains("connection refused"), "\(run.stderr)")
        #expect(!run.stderr.contains("sk_unreachable"))

        // The same from the library: a DemoError, thrown before anything was sent.
        let configuration = try DemoConfiguration(url: url, apiKey: "sk_unreachable_0123456789", count: 5)
        await #expect(throws: DemoError(.unreachable(reason: "connection refused"), url: url)) {
            try await PaymentsDemo(configuration: configuration).run()
        }
    }

    @Test("A key the server does not know stops the run before anything is sent")
    func refusedKey() async throws {
        try await TestServer.with { server in
            let configuration = try DemoConfiguration(
                url: server.baseURL, apiKey: "sk_not_a_client_0123456789", count: 5)
            await #expect(throws: DemoError(.unauthorized, url: server.baseURL)) {
                try await PaymentsDemo(configuration: configuration).run()
            }
            #expect(try await listPayments(server, clientRefPrefix: "DEMO-").isEmpty)
        }
    }

    @Test("A bad setting is a usage error naming it, without echoing the key")
    func badSettings() async throws {
        let cases: [([String], [String: String], String)] = [
            (["demo", "--count", "0"], ["PAYMENTS_API_KEY": "sk_hunter2_0123456789"], "--count"),
            (
                ["demo", "--bad-request-share", "1.5"], ["PAYMENTS_API_KEY": "sk_hunter2_0123456789"],
                "--bad-request-share"
            ),
            (["demo", "--wait", "-1"], ["PAYMENTS_API_KEY": "sk_hunter2_0123456789"], "--wait"),
            (
                ["demo"], ["PAYMENTS_API_KEY": "sk_hunter2_0123456789", "PAYMENTS_URL": "ftp://hunter2@example.com"],
                "PAYMENTS_URL"
            ),
            (["demo"], ["PAYMENTS_API_KEY": ""], "PAYMENTS_API_KEY"),
        ]
        for (arguments, environment, setting) in cases {
            let run = try await runDemo(arguments, environment: environment)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(setting), "\(run.stderr)")
            #expect(!run.stderr.contains("hunter2"), "\(run.stderr)")
        }
    }

    // MARK: Pure parts

    @Test("The plan has the exact share of bad requests spread through the run, unique refs and valid routing numbers")
    func plan() throws {
        let configuration = try DemoConfiguration(apiKey: "k", count: 50, badRequestShare: 0.1, runID: "abc")
        let requests = DemoRequest.plan(configuration)
        #expect(requests.count == 50)
        #expect(requests.filter { !$0.isValid }.count == 5)
        #expect(Set(requests.map(\.clientRef)).count == 50)
        #expect(Set(requests.map(\.idempotencyKey)).count == 50)
        #expect(requests[0].clientRef == "DEMO-abc-0001")
        // Spread out: no two bad requests next to each other at this share.
        let badPositions = requests.filter { !$0.isValid }.map(\.number)
        #expect(zip(badPositions, badPositions.dropFirst()).allSatisfy { $1 - $0 >= 9 }, "\(badPositions)")
        // Every valid body passes the server's own parser; every invalid one fails at its flaw's pointer.
        let parser = PaymentRequestParser()
        for request in requests {
            let json = try JSONDecoder().decode(JSONValue.self, from: request.body)
            switch (request.kind, parser.parse(json)) {
            case (.valid, .success(let parsed)):
                #expect(parsed.clientRef == request.clientRef)
                #expect(parsed.amount.minorUnits == request.amount)
            case (.invalid(let flaw), .failure(let error)):
                #expect(error.errors.map(\.pointer) == [flaw.pointer], "\(flaw)")
            default:
                Issue.record("request \(request.number) (\(request.kind)) parsed unexpectedly")
            }
        }
        var recipients: Set<DemoRequest.Recipient> = []
        for request in requests {
            if case .valid(let recipient) = request.kind { recipients.insert(recipient) }
        }
        #expect(recipients.count == 3)
        #expect(
            DemoRequest.plan(try DemoConfiguration(apiKey: "k", count: 7, badRequestShare: 0)).allSatisfy(\.isValid))
        #expect(
            DemoRequest.plan(try DemoConfiguration(apiKey: "k", count: 7, badRequestShare: 1)).allSatisfy {
                !$0.isValid
            })
    }

    @Test("Percentiles are nearest-rank: each is an observed value")
    func percentiles() {
        let samples = (1...100).map { Duration.milliseconds($0) }
        let statistics = LatencyStatistics(samples.shuffled())
        #expect(statistics.p50 == .milliseconds(50))
        #expect(statistics.p95 == .milliseconds(95))
        #expect(statistics.p99 == .milliseconds(99))
        #expect(statistics.percentile(0.29) == .milliseconds(29))
        #expect(statistics.max == .milliseconds(100))
        #expect(LatencyStatistics([.seconds(3)]).p99 == .seconds(3))
        #expect(LatencyStatistics([]).p50 == nil)
    }

    @Test("The progress bar redraws in place on a terminal and writes whole, spaced-out lines otherwise")
    func progressBar() {
        func reports(_ phase: DemoProgress.Phase, _ range: ClosedRange<Int>) -> [DemoProgress] {
            range.map { n in
                DemoProgress(
                    phase: phase, sent: phase == .creating ? n : 10, count: 10, accepted: phase == .creating ? n : 10,
                    rejectedAsExpected: 0, errors: 0, terminal: phase == .settling ? ["completed": n] : [:],
                    elapsed: .milliseconds(n)
                )
            }
        }
        let all = reports(.creating, 0...10) + reports(.settling, 0...10)

        let interactiveOutput = Mutex("")
        let interactive = ProgressBar(interactive: true) { text in interactiveOutput.withLock { $0 += text } }
        for report in all { interactive.update(report) }
        interactive.finish()
        let drawn = interactiveOutput.withLock { $0 }
        #expect(drawn.contains("\r\u{1B}[2Kcreating  ["))
        #expect(drawn.contains("10/10  201: 10"), "the last state of a phase is drawn")
        #expect(drawn.contains("10/10 terminal  completed: 10"))
        #expect(drawn.hasSuffix("\n"))
        #expect(drawn.filter { $0 == "\n" }.count == 2, "one line per phase")

        let plainOutput = Mutex("")
        let plain = ProgressBar(interactive: false, plainInterval: .seconds(60)) { text in
            plainOutput.withLock { $0 += text }
        }
        for report in all { plain.update(report) }
        plain.finish()
        let lines = plainOutput.withLock { $0 }.split(separator: "\n")
        #expect(!plainOutput.withLock { $0 }.contains("\r"))
        // Within one interval: the first and last state of each phase only.
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.last?.contains("10/10 (100%) terminal  completed: 10") == true, "\(lines)")
    }

    @Test("Settings are checked, and the API key stays out of descriptions")
    func configuration() throws {
        let configuration = try DemoConfiguration(url: "http://user:pw@127.0.0.1:8080/", apiKey: "sk_secret_0123456789")
        #expect(configuration.baseURL == "http://user:pw@127.0.0.1:8080")
        #expect(configuration.displayURL == "http://127.0.0.1:8080")
        #expect(!configuration.description.contains("sk_secret") && !configuration.description.contains("pw"))
        #expect(configuration.runID.count == 8)
        #expect(throws: ConfigurationError.self) { try DemoConfiguration(url: "127.0.0.1:8080", apiKey: "k") }
        #expect(throws: ConfigurationError.self) { try DemoConfiguration(apiKey: "") }
        #expect(throws: ConfigurationError.self) { try DemoConfiguration(apiKey: "k", concurrency: 0) }
        #expect(throws: ConfigurationError.self) { try DemoConfiguration(apiKey: "k", badRequestShare: .nan) }
        #expect(throws: ConfigurationError.self) { try DemoConfiguration(apiKey: "k", runID: "no spaces") }
    }

    // MARK: Helpers

    /// The number on the summary line labelled `label`.
    private func count(_ label: String, in summary: String) -> Int? {
        summary.split(separator: "\n").first { $0.hasPrefix("  " + label + " ") }
            .flatMap { $0.dropFirst(label.count + 2).split(separator: " ").first }
            .flatMap { Int($0) }
    }

    /// Every payment of the acme client whose `client_ref` starts with `clientRefPrefix`, through the list API.
    private func listPayments(_ server: TestServer, clientRefPrefix: String) async throws -> [[String: any Sendable]] {
        var payments: [[String: any Sendable]] = []
        var cursor: String?
        repeat {
            let page = try await server.request(.GET, "/v1/payments?limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
                .json
            payments += (page["data"] as? [[String: any Sendable]] ?? [])
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        return payments.filter { ($0.string("client_ref") ?? "").hasPrefix(clientRefPrefix) }
    }

    /// Runs the `payments` executable with separate stdout and stderr, and waits (bounded) for it to exit.
    private func runDemo(_ arguments: [String], environment: [String: String]) async throws -> (
        status: Int32?, stdout: String, stderr: String
    ) {
        let folder = CommandLineTests.logFolder
        let name = UUID().uuidString.prefix(6)
        let outPath = "\(folder)/demo-\(name).out"
        let errPath = "\(folder)/demo-\(name).err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ManagedProcess.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["PAYMENTS_URL"] = nil
        env["PAYMENTS_API_KEY"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        let status: Int32? = process.isRunning ? nil : process.terminationStatus
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return (status, read(outPath), read(errPath))
    }
}
