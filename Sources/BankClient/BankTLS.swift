import AsyncHTTPClient
import NIOCore
import NIOSSL
import PaymentsCore
import PaymentsSupport

/// The TLS side of the bank's `mtls` authentication: loads the client certificate, its private key and the bank's CA
/// from PEM files and builds the `HTTPClient` that presents them.
public enum BankTLS {
    /// A dedicated `HTTPClient` presenting the configured client certificate, or `nil` unless the configuration's
    /// authentication is ``BankClientConfiguration/Authentication/mtls(certificatePath:privateKeyPath:caPath:)``.
    ///
    /// The bank's server certificate is verified (host name included) against the CA file when one is given, else
    /// against the system trust roots. The caller owns the client and must `shutdown()` it.
    ///
    /// - Throws: ``ConfigurationError`` naming `BANK_TLS_CERT`, `BANK_TLS_KEY` or `BANK_TLS_CA` when that file cannot
    ///   be loaded, or when the key does not belong to the certificate. The message carries the path, never the
    ///   file's contents.
    public static func makeHTTPClient(configuration: BankClientConfiguration) throws(ConfigurationError) -> HTTPClient?
    {
        guard let tlsConfiguration = try makeTLSConfiguration(configuration: configuration) else { return nil }
        return HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                tlsConfiguration: tlsConfiguration,
                timeout: .init(connect: TimeAmount(configuration.connectTimeout), read: .seconds(30)),
                connectionPool: .init(idleTimeout: .seconds(60))
            )
        )
    }

    /// The client TLS configuration for `mtls` authentication, or `nil` for the other modes. Loads and checks every
    /// file, so a bad one is reported at start-up rather than on the first payment.
    static func makeTLSConfiguration(
        configuration: BankClientConfiguration
    ) throws(ConfigurationError) -> TLSConfiguration? {
        guard case .mtls(let certificatePath, let privateKeyPath, let caPath) = configuration.authentication else {
            return nil
        }
        let chain = try loadCertificates(certificatePath, setting: "BANK_TLS_CERT")
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw ConfigurationError(
                setting: "BANK_TLS_KEY",
                reason: "cannot be loaded as an unencrypted PEM private key from \(privateKeyPath)"
            )
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = chain.map { .certificate($0) }
        tls.privateKey = .privateKey(key)
        if let caPath {
            tls.trustRoots = .certificates(try loadCertificates(caPath, setting: "BANK_TLS_CA"))
        }
        // Building a context makes BoringSSL check that the key belongs to the leaf certificate.
        do {
            _ = try NIOSSLContext(configuration: tls)
        } catch {
            throw ConfigurationError(
                setting: "BANK_TLS_KEY", reason: "does not match the certificate in BANK_TLS_CERT (\(privateKeyPath))"
            )
        }
        return tls
    }

    private static func loadCertificates(_ path: String, setting: String) throws(ConfigurationError)
        -> [NIOSSLCertificate]
    {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ConfigurationError(setting: setting, reason: "cannot be loaded as PEM certificates from \(path)")
        }
        guard !certificates.isEmpty else {
            throw ConfigurationError(setting: setting, reason: "holds no PEM certificate (\(path))")
        }
        return certificates
    }
}
