import Foundation
import Logging
import PaymentsApp
import PaymentsCore
import PaymentsStorage
import PostgresNIO
import Testing

/// Account numbers unreadable at rest, on both databases: what a copy of the SQLite file or a `pg_dump` holds, what
/// the bank still receives, rotation of the keys under load, and retention.
@Suite("Account numbers at rest", .serialized)
struct DataAtRestTests {
    /// Distinct account numbers of 12 to 17 digits, none a substring of another's encodings by chance.
    static func accountNumbers(_ count: Int) -> [String] {
        (0..<count).map { index in
            let length = 12 + index % 6
            var digits = String(format: "%02d", index % 100)
            while digits.count < length { digits += String(Int.random(in: 0...9)) }
            return digits
        }
    }

    static func body(clientRef: String, account: String) -> String {
        """
        {"amount": 1250, "currency": "USD", "client_ref": "\(clientRef)",
         "recipient": {"type": "bank_account", "name": "Acme LLC", "account_number": "\(account)",
                       "routing_number": "021000021"}}
        """
    }

    /// Every way the tests can think of to write an account number down.
    static func encodings(of account: String) -> [[UInt8]] {
        let ascii = Array(account.utf8)
        return [
            ascii, Array(Data(ascii).base64EncodedString().utf8),
            Array(ascii.map { String(format: "%02x", $0) }.joined().utf8),
            Array(ascii.map { String(format: "%02X", $0) }.joined().utf8),
            Array(account.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
            Array(account.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
        ]
    }

    static func leaks(_ haystack: [UInt8], _ accounts: [String]) -> [String] {
        accounts.filter { account in
            encodings(of: account).contains { needle in
                haystack.count >= needle.count
                    && (0...(haystack.count - needle.count)).contains { start in
                        haystack[start] == needle[0] && Array(haystack[start..<start + needle.count]) == needle
                    }
            }
        }
    }

    /// The SQLite file, its WAL and shared-memory file, as bytes.
    static func sqliteBytes(_ path: String) -> [UInt8] {
        ["", "-wal", "-shm"].flatMap { suffix in
            (try? Data(contentsOf: URL(fileURLWithPath: path + suffix))).map(Array.init) ?? []
        }
    }

    static func pgDump(_ url: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pg_dump", "--no-owner", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !data.isEmpty else { throw ContractFailure("pg_dump failed") }
        return Array(data)
    }

    @Test(
        "No account number in the SQLite file and WAL, or in pg_dump; the bank gets it whole, also after a restart",
        arguments: StoreKind.allCases)
    func nothingReadableAtRest(_ kind: StoreKind) async throws {
        try await RecordingBank.with { bank in
            var options = TestServer.Options()
            options.bankURL = bank.url
            options.databasePath = TestServer.temporaryDatabasePath()
            if kind == .postgres { options.databaseURL = try await PostgresTestDatabase.create() }
            let accounts = Self.accountNumbers(30)
            // The bank is down for the second half: those payments wait, and go after a restart.
            try await TestServer.with(options) { server in
                for (index, account) in accounts.enumerated() {
                    if index == 15 { bank.setAvailable(false) }
                    let created = try await server.request(
                        .POST, "/v1/payments", body: Self.body(clientRef: "REST-\(index)", account: account))
                    #expect(created.status == 201)
                    #expect(!created.text.contains(account))
                }
                for _ in 0..<200 where bank.received.count < 15 { try await Task.sleep(for: .milliseconds(25)) }
            }
            bank.setAvailable(true)
            try await TestServer.with(options) { server in
                for _ in 0..<400 where bank.received.count < 30 { try await Task.sleep(for: .milliseconds(25)) }
                let sent = Set(
                    bank.received.compactMap { ($0["recipient"] as? [String: Any])?["account_number"] as? String })
                #expect(sent == Set(accounts), "the bank received \(sent.count) of 30 whole account numbers")
                let listed = try await server.request(.GET, "/v1/payments?limit=100").text
                #expect(Self.leaks(Array(listed.utf8), accounts).isEmpty)
            }
            let atRest =
                kind == .sqlite
                ? Self.sqliteBytes(options.databasePath!) : try Self.pgDump(options.databaseURL!)
            #expect(atRest.count > 10_000)
            let found = Self.leaks(atRest, accounts)
            #expect(found.isEmpty, "\(found.count) account numbers readable at rest")
        }
    }

    @Test(
        "A sealed value copied to another payment's row does not open: reported, not crashed on",
        arguments: StoreKind.allCases)
    func movedCiphertext(_ kind: StoreKind) async throws {
        let copy = """
            UPDATE payments SET recipient_account_number =
                (SELECT recipient_account_number FROM payments WHERE client_ref = 'MOVE-1')
            WHERE client_ref = 'MOVE-2'
            """
        switch kind {
        case .sqlite:
            let path = TestServer.temporaryDatabasePath()
            let store = try SQLitePaymentStore(path: path, ring: TestClients.dataKeys)
            try await store.migrate()
            try await checkMovedCiphertext(store) { try await DatabaseInspector(path: path).execute(copy) }
        case .postgres:
            try await PostgresTestDatabase.withClient(url: try await PostgresTestDatabase.create()) { client in
                let store = PostgresPaymentStore(
                    client: client, logger: Logger(label: "pg-test"), ring: TestClients.dataKeys)
                try await store.migrate()
                try await checkMovedCiphertext(store) { _ = try await client.query(PostgresQuery(unsafeSQL: copy)) }
            }
        }
    }

    private func checkMovedCiphertext(_ store: any PaymentStore, copy: () async throws -> Void) async throws {
        let first = PaymentStoreContractTests.newPayment(clientRef: "MOVE-1")
        let second = PaymentStoreContractTests.newPayment(clientRef: "MOVE-2")
        _ = try await store.create(first)
        _ = try await store.create(second)
        try await copy()
        #expect(try await store.payment(id: first.id)?.status == .initiated)
        do {
            _ = try await store.payment(id: second.id)
            Issue.record("a moved ciphertext opened")
        } catch let error as StoreError {
            #expect(error.code == .corrupt)
            #expect(error.debugDescription.contains("not_authentic"))
            #expect(!error.debugDescription.contains("000123456789"))
        }
        // A worker gets the unreadable payment's job with the reason, to dead-letter it, and goes on with the others.
        var claimed: [ClaimedJob] = []
        while let job = try await store.claimJobWithPayment(
            kinds: [.submit], now: PaymentStoreContractTests.now.addingTimeInterval(1), lease: .seconds(30))
        {
            claimed.append(job)
        }
        #expect(claimed.count == 2)
        #expect(claimed.first { $0.job.paymentID == second.id }?.unreadable?.contains("not_authentic") == true)
        #expect(claimed.first { $0.job.paymentID == first.id }?.payment != nil)
    }

    static func waitUntilSettled(_ server: TestServer) async throws {
        for _ in 0..<300 {
            let open = try await server.request(.GET, "/v1/payments?status=initiated").json["data"] as? [Any]
            let processing = try await server.request(.GET, "/v1/payments?status=processing").json["data"] as? [Any]
            if open?.isEmpty == true && processing?.isEmpty == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func keyText(_ byte: UInt8) -> String { Data(repeating: byte, count: 32).base64EncodedString() }

    @Test(
        "Rotation under load (PostgreSQL): reseal runs while payments are created and settle; then the new key alone opens every value"
    )
    func rotationUnderLoad() async throws {
        let url = try await PostgresTestDatabase.create()
        let index = "index:\(Self.keyText(9))"
        let before = "k1:\(Self.keyText(11)),\(index)"
        let rotated = "k2:\(Self.keyText(12)),k1:\(Self.keyText(11)),\(index)"
        let after = "k2:\(Self.keyText(12)),\(index)"
        var options = TestServer.Options()
        options.databaseURL = url
        options.dataKeys = try DataKeys.parse(before, setting: "test")
        try await TestServer.with(options) { server in
            var statuses: [Int] = []
            for index in 0..<80 { statuses.append(try await server.createPayment(clientRef: "ROT-A\(index)").status) }
            #expect(statuses.allSatisfy { $0 == 201 })
            // Settled before this server and its sandbox stop: the next sandbox knows none of these payments.
            try await Self.waitUntilSettled(server)
        }
        options.dataKeys = try DataKeys.parse(rotated, setting: "test")
        try await TestServer.with(options) { server in
            let load = Task {
                var statuses: [Int] = []
                for index in 0..<120 {
                    statuses.append(try await server.createPayment(clientRef: "ROT-B\(index)").status)
                    try await Task.sleep(for: .milliseconds(10))
                }
                return statuses
            }
            let reseal = try ManagedProcess(
                name: "reseal", arguments: ["reseal", "--batch", "7"],
                environment: ["DATABASE_URL": url, "PAYMENTS_DATA_KEYS": rotated], logFolder: CommandLineTests.logFolder
            )
            let exit = await reseal.waitForExit(timeout: .seconds(120))
            #expect(exit == 0, "\(reseal.output.suffix(2000))")
            #expect(reseal.output.contains("re-sealed") && reseal.output.contains("the other keys may leave the ring"))
            #expect(!reseal.output.contains(Self.keyText(12)))
            let statuses = try await load.value
            #expect(statuses.allSatisfy { $0 == 201 }, "\(statuses.filter { $0 != 201 })")
            // Every payment created during the rotation settles.
            try await Self.waitUntilSettled(server)
        }
        try await PostgresTestDatabase.withClient(url: url) { client in
            let store = PostgresPaymentStore(
                client: client, logger: Logger(label: "pg-test"), ring: try DataKeys.parse(after, setting: "test"))
            #expect(try await store.sealedValueCounts() == ["k2": 200])
            var ids: [UUID] = []
            for try await id in try await client.query("SELECT id FROM payments").decode(UUID.self) { ids.append(id) }
            #expect(ids.count == 200)
            for id in ids {
                let payment = try await store.payment(id: id)
                #expect(payment?.status == .completed, "\(id)")
            }
        }
    }

    @Test(
        "Retention: past the return window and the retention period the sealed number is gone; the payment still reads")
    func retention() async throws {
        var options = TestServer.Options()
        options.reconciler = .init(interval: .milliseconds(200), stuckAfter: .seconds(3600), returnWindow: .seconds(1))
        options.accountRetention = .seconds(1)
        try await TestServer.with(options) { server in
            let id = try #require(try await server.createPayment(clientRef: "KEEP-1").json.string("payment_id"))
            _ = try await server.waitForStatus(id, "completed")
            let inspector = DatabaseInspector(path: server.databasePath)
            var remaining = 1
            for _ in 0..<100 where remaining > 0 {
                try await Task.sleep(for: .milliseconds(100))
                remaining = try await inspector.count("payments", where: "recipient_account_number IS NOT NULL")
            }
            #expect(remaining == 0)
            let payment = try await server.request(.GET, "/v1/payments/\(id)")
            #expect(payment.status == 200)
            #expect((payment.json["recipient"] as? [String: Any])?["account_last4"] as? String == "6789")
            #expect(payment.json.history.count >= 3)
            let destroyed = try server.metrics.expectCounter("payment_account_numbers_destroyed_total").totalValue
            #expect(destroyed == 1)
        }
    }

    @Test("Rows from before sealing are sealed by migrate, and read as they did")
    func legacyRowsAreSealed() async throws {
        let path = TestServer.temporaryDatabasePath()
        let store = try SQLitePaymentStore(path: path, ring: TestClients.dataKeys)
        try await store.migrate()
        let new = PaymentStoreContractTests.newPayment(clientRef: "OLD-1")
        _ = try await store.create(new)
        // What a row written by the previous version looks like.
        try await DatabaseInspector(path: path).execute(
            """
            UPDATE payments SET recipient_account_number = '000123456789', recipient_key_id = NULL,
                recipient_account_last4 = NULL, recipient_account_index = NULL, request_fingerprint = 'unkeyed'
            """)
        #expect(try await store.payment(id: new.id)?.recipient == new.request.recipient)
        try await store.migrate()
        #expect(try await DatabaseInspector(path: path).count("payments", where: "recipient_key_id IS NULL") == 0)
        #expect(
            try await DatabaseInspector(path: path).count(
                "payments", where: "recipient_account_number LIKE '%000123456789%'") == 0)
        #expect(try await store.payment(id: new.id)?.recipient == new.request.recipient)
        // The keyed fingerprint replaced the old one: the same request is still a replay.
        #expect(try await store.create(new) == .replayed(try #require(try await store.payment(id: new.id))))
    }
}
