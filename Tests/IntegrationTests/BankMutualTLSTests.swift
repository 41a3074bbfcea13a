import AsyncHTTPClient
import BankClient
import BankSandbox
import Foundation
import Logging
import NIOSSL
import PaymentsApp
import PaymentsCore
import PaymentsSupport
import ServiceLifecycle
import Testing

@Suite("Mutual TLS between the bank client and the bank sandbox")
struct BankMutualTLSTests {
    @Test("A client certificate signed by the sandbox's client CA is accepted, and the payment with it")
    func trustedClientCertificateIsAccepted() async throws {
        let pki = try await MutualTLSPKI.make()
        defer { pki.remove() }
        try await MTLSSandbox.with(pki) { sandbox in
            let result = try await sandbox.submit(
                authentication: .mtls(
                    certificatePath: pki.clientCertificate, privateKeyPath: pki.clientKey, caPath: pki.caCertificate)
            )
            guard case .accepted(let bankRef) = result else {
                Issue.record("expected the payment to be accepted, got \(result)")
                return
            }
            #expect(!bankRef.isEmpty)
            #expect(await sandbox.sandbox.stats().payments == 1)
        }
    }

    @Test("A client certificate from another CA fails the TLS handshake: a connection error, nothing reaches the bank")
    func rogueClientCertificateIsRefused() async throws {
        let pki = try await MutualTLSPKI.make()
        defer { pki.remove() }
        try await MTLSSandbox.with(pki) { sandbox in
            let error = await #expect(throws: BankError.self) {
                try await sandbox.submit(
                    authentication: .mtls(
                        certificatePath: pki.rogueClientCertificate, privateKeyPath: pki.rogueClientKey,
                        caPath: pki.caCertificate
                    )
                )
            }
            #expect(error?.kind == .connection)
            #expect(await sandbox.sandbox.stats().payments == 0)
        }
    }

    @Test("A client with no certificate fails the TLS handshake: a connection error, nothing reaches the bank")
    func missingClientCertificateIsRefused() async throws {
        let pki = try await MutualTLSPKI.make()
        defer { pki.remove() }
        try await MTLSSandbox.with(pki) { sandbox in
            // Trusts the sandbox's server certificate but has no certificate of its own to present.
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(pki.caCertificate))
            let plainTLSClient = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(tlsConfiguration: tls, timeout: .init(connect: .seconds(2), read: .seconds(5)))
            )
            let error = await #expect(throws: BankError.self) {
                try await sandbox.submit(
                    authentication: .mtls(
                        certificatePath: pki.clientCertificate, privateKeyPath: pki.clientKey, caPath: pki.caCertificate
                    ),
                    httpClient: plainTLSClient
                )
            }
            try await plainTLSClient.shutdown()
            #expect(error?.kind == .connection)
            #expect(await sandbox.sandbox.stats().payments == 0)
        }
    }

    @Test("BANK_AUTH=mtls with a BANK_TLS_KEY file that does not exist stops start-up naming BANK_TLS_KEY")
    func missingKeyFileIsAConfigurationError() async throws {
        let pki = try await MutualTLSPKI.make()
        defer { pki.remove() }
        let missingKey = pki.folder.appendingPathComponent("no-such-client.key").path
        var environment = Self.mtlsEnvironment(pki)
        environment["BANK_TLS_KEY"] = missingKey
        let error = #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.load(environment: Environment(environment))
        }
        #expect(error?.setting == "BANK_TLS_KEY")
        #expect(error?.description.contains("BANK_TLS_KEY") == true)
    }

    @Test("BANK_AUTH=mtls needs BANK_TLS_CERT and BANK_TLS_KEY, accepts no CA, and its description shows paths only")
    func mtlsSettingsAreReadFromTheEnvironment() async throws {
        let pki = try await MutualTLSPKI.make()
        defer { pki.remove() }
        var withoutCertificate = Self.mtlsEnvironment(pki)
        withoutCertificate["BANK_TLS_CERT"] = nil
        #expect(throws: ConfigurationError(setting: "BANK_TLS_CERT", reason: "is required for BANK_AUTH=mtls")) {
            try ServeConfiguration.load(environment: Environment(withoutCertificate))
        }

        var withoutCA = Self.mtlsEnvironment(pki)
        withoutCA["BANK_TLS_CA"] = nil
        let loaded = try ServeConfiguration.load(environment: Environment(withoutCA))
        guard case .remote(let bank) = loaded.configuration.bank,
            case .mtls(let certificatePath, let privateKeyPath, let caPath) = bank.authentication
        else {
            Issue.record("expected a remote bank with mtls authentication")
            return
        }
        #expect(certificatePath == pki.clientCertificate)
        #expect(privateKeyPath == pki.clientKey)
        #expect(caPath == nil)
        let keyText = try String(contentsOfFile: pki.clientKey, encoding: .utf8)
        let description = "\(bank.authentication)"
        #expect(description.contains(pki.clientKey))
        #expect(!description.contains("PRIVATE KEY"))
        #expect(!description.contains(keyText.split(separator: "\n")[1]))
    }

    @Test("A key file that is not a PEM key is refused naming BANK_TLS_KEY, without echoing the file")
    func unreadableKeyIsRefusedWithoutItsContents() async throws {
        let pki = try await MutualTLSPKI.make()
        defer { pki.remove() }
        let bogusKey = pki.folder.appendingPathComponent("bogus.key").path
        try "sk_live_not_a_pem_key_0123456789".write(toFile: bogusKey, atomically: true, encoding: .utf8)
        let configurations = [
            (bogusKey, "BANK_TLS_KEY"),
            // A real key, but not the one that belongs to the certificate.
            (pki.rogueClientKey, "BANK_TLS_KEY"),
        ]
        for (keyPath, setting) in configurations {
            let configuration = BankClientConfiguration(
                baseURL: "https://127.0.0.1:1",
                authentication: .mtls(
                    certificatePath: pki.clientCertificate, privateKeyPath: keyPath, caPath: pki.caCertificate)
            )
            let error = #expect(throws: ConfigurationError.self) {
                let client = try BankTLS.makeHTTPClient(configuration: configuration)
                try? client?.syncShutdown()
            }
            #expect(error?.setting == setting)
            #expect(error?.description.contains("sk_live") == false)
        }
        #expect(
            try BankTLS.makeHTTPClient(
                configuration: BankClientConfiguration(baseURL: "https://x", authentication: .apiKey("k"))) == nil)
    }

    private static func mtlsEnvironment(_ pki: MutualTLSPKI) -> [String: String] {
        [
            "BANK_BASE_URL": "https://bank.example",
            "BANK_AUTH": "mtls",
            "BANK_TLS_CERT": pki.clientCertificate,
            "BANK_TLS_KEY": pki.clientKey,
            "BANK_TLS_CA": pki.caCertificate,
            "BANK_WEBHOOK_SECRET": TestClients.webhookSecret,
            "PAYMENTS_API_KEYS": "acme:\(TestClients.acmeKey)",
        ]
    }
}

/// A standalone sandbox serving HTTPS on a loopback port and demanding client certificates signed by the test CA.
private struct MTLSSandbox {
    let sandbox: BankSandbox
    let baseURL: String

    static func with(_ pki: MutualTLSPKI, _ body: (MTLSSandbox) async throws -> Void) async throws {
        let logger = Logger(label: "bank-sandbox-mtls")
        let configuration = BankSandboxConfiguration(
            port: 0, faults: SandboxFaults(requireClientCert: true), processingDelay: .milliseconds(20),
            settlementDelay: .milliseconds(60),
            tls: .init(
                certificateChainPath: pki.serverCertificate, privateKeyPath: pki.serverKey,
                clientCAPath: pki.caCertificate
            )
        )
        let port = OneShotValue<Int>()
        let sandbox = BankSandbox(configuration: configuration, logger: logger) { port.set($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: sandbox)], logger: logger))
        let stopped = OneShotValue<Bool>()
        let task = Task {
            defer { stopped.set(true) }
            do {
                try await group.run()
            } catch {
                port.set(-1)  // never started: release the wait below
                throw error
            }
        }
        // Bounded: after 10 s the wait is released with -1.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            port.set(-1)
        }
        let bound = await port.value
        watchdog.cancel()
        let result: Result<Void, any Error>
        if bound > 0 {
            do {
                try await body(MTLSSandbox(sandbox: sandbox, baseURL: "https://127.0.0.1:\(bound)"))
                result = .success(())
            } catch {
                result = .failure(error)
            }
        } else {
            result = .failure(MTLSTestFailure("the TLS sandbox did not start within 10 s"))
        }
        await group.triggerGracefulShutdown()
        // Bounded: after 10 s the wait is released with `false`.
        let shutdownWatchdog = Task {
            try await Task.sleep(for: .seconds(10))
            stopped.set(false)
        }
        let stoppedCleanly = await stopped.value
        shutdownWatchdog.cancel()
        if !stoppedCleanly {
            task.cancel()
            Issue.record("the TLS sandbox did not shut down within 10 s")
        } else if bound <= 0, case .failure(let startError) = await task.result {
            throw startError
        }
        try result.get()
    }

    /// Submits one payment through an ``HTTPBankClient`` authenticating with `authentication`, over `httpClient`
    /// (or the one ``BankTLS`` builds for it).
    func submit(
        authentication: BankClientConfiguration.Authentication, httpClient given: HTTPClient? = nil
    ) async throws -> BankSubmissionResult {
        let configuration = BankClientConfiguration(
            baseURL: baseURL, authentication: authentication, connectTimeout: .seconds(2), requestTimeout: .seconds(5)
        )
        let owned = given == nil ? try BankTLS.makeHTTPClient(configuration: configuration) : nil
        let httpClient = try #require(given ?? owned)
        let bank = HTTPBankClient(
            configuration: configuration, httpClient: httpClient, logger: Logger(label: "bank-client-mtls"))
        let submission = BankSubmission(
            paymentID: UUID(), clientRef: "MTLS-\(UUID().uuidString.prefix(8))",
            amount: Money(minorUnits: 1250, currency: .usd),
            recipient: .zelle(name: "Acme LLC", token: .email("ap@acme.example")), traceParent: nil
        )
        let result: Result<BankSubmissionResult, BankError>
        do {
            result = .success(try await bank.submit(submission))
        } catch {
            result = .failure(error)
        }
        try await owned?.shutdown()
        return try result.get()
    }
}

/// Throwaway certificates made with the `openssl` command: a CA, a server certificate for 127.0.0.1 and a client
/// certificate it signed, and a rogue CA with a client certificate of its own. All EC P-256, valid for two days.
private struct MutualTLSPKI: Sendable {
    let folder: URL

    var caCertificate: String { path("ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    var rogueClientCertificate: String { path("rogue-client.pem") }
    var rogueClientKey: String { path("rogue-client.key") }

    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func make() async throws -> MutualTLSPKI {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bank-mtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pki = MutualTLSPKI(folder: folder)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for (name, subject) in [("ca", "/CN=Bank mTLS Test CA"), ("rogue-ca", "/CN=Rogue mTLS Test CA")] {
            try await openssl(
                ["req", "-x509"] + key + [
                    "-keyout", pki.path("\(name).key"), "-out", pki.path("\(name).pem"), "-days", "2", "-subj", subject,
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                ],
                in: folder
            )
        }
        let leaves = [
            ("server", "ca", "/CN=127.0.0.1", "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n"),
            ("client", "ca", "/CN=payments-orchestrator", "extendedKeyUsage=clientAuth\n"),
            ("rogue-client", "rogue-ca", "/CN=payments-orchestrator", "extendedKeyUsage=clientAuth\n"),
        ]
        for (index, (name, issuer, subject, extensions)) in leaves.enumerated() {
            let extensionsFile = pki.path("\(name).ext")
            try ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" + extensions)
                .write(toFile: extensionsFile, atomically: true, encoding: .utf8)
            try await openssl(
                ["req", "-new"] + key + [
                    "-keyout", pki.path("\(name).key"), "-out", pki.path("\(name).csr"), "-subj", subject,
                ],
                in: folder
            )
            try await openssl(
                [
                    "x509", "-req", "-in", pki.path("\(name).csr"), "-CA", pki.path("\(issuer).pem"),
                    "-CAkey", pki.path("\(issuer).key"), "-set_serial", "\(1000 + index)", "-days", "2",
                    "-extfile", extensionsFile, "-out", pki.path("\(name).pem"),
                ],
                in: folder
            )
        }
        return pki
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `openssl` with `arguments`, for at most 20 seconds.
    private static func openssl(_ arguments: [String], in folder: URL) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = folder
        let log = folder.appendingPathComponent("openssl.log")
        if !FileManager.default.fileExists(atPath: log.path) {
            FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        try handle.seekToEnd()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw MTLSTestFailure("openssl \(arguments.first ?? "") did not finish within 20 s")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw MTLSTestFailure("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(output.suffix(500))")
        }
    }
}

private struct MTLSTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
