import NIOSSL
import PaymentsSupport

extension BankSandboxConfiguration {
    /// HTTPS for the sandbox, and the CA its clients' certificates must chain to when
    /// ``SandboxFaults/requireClientCert`` is set (mutual TLS, the bank's `mtls` auth mode). All files are PEM.
    ///
    /// Client certificates are demanded from the TLS handshake itself, so the choice is made once, from the faults in
    /// force at start-up: changing `require_client_cert` at run time (``BankSandbox/setFaults(_:)`` or
    /// `POST /sandbox/faults`) does not change what the handshake asks for until the sandbox restarts.
    public struct TLS: Sendable, Hashable, CustomStringConvertible {
        /// The server's certificate chain, leaf first (`SANDBOX_TLS_CERT`).
        public var certificateChainPath: String
        /// The server certificate's private key, unencrypted (`SANDBOX_TLS_KEY`).
        public var privateKeyPath: String
        /// The CA certificates that sign acceptable client certificates (`SANDBOX_TLS_CLIENT_CA`); required when
        /// client certificates are.
        public var clientCAPath: String?

        /// Creates a TLS setting from file paths.
        public init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.clientCAPath = clientCAPath
        }

        /// The paths (never the files' contents).
        public var description: String {
            "TLS(certificate: \(self.certificateChainPath), key: \(self.privateKeyPath), "
                + "client CA: \(self.clientCAPath ?? "none"))"
        }

        /// The server TLS configuration: the certificate and key, and, with `requireClientCert`, a client certificate
        /// verified against the client CA (no host-name check) that the handshake fails without.
        ///
        /// - Throws: ``ConfigurationError`` naming `SANDBOX_TLS_CERT`, `SANDBOX_TLS_KEY` or `SANDBOX_TLS_CLIENT_CA`
        ///   when that file cannot be loaded (the message carries the path, never the contents).
        func makeServerConfiguration(requireClientCert: Bool) throws(ConfigurationError) -> TLSConfiguration {
            let chain = try Self.loadCertificates(self.certificateChainPath, setting: "SANDBOX_TLS_CERT")
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(file: self.privateKeyPath, format: .pem)
            } catch {
                throw ConfigurationError(
                    setting: "SANDBOX_TLS_KEY",
                    reason: "must name an unencrypted PEM private key file (\(self.privateKeyPath))"
                )
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
            )
            if requireClientCert {
                guard let clientCAPath = self.clientCAPath else {
                    throw ConfigurationError(
                        setting: "SANDBOX_TLS_CLIENT_CA", reason: "is required when client certificates are required"
                    )
                }
                configuration.trustRoots = .certificates(
                    try Self.loadCertificates(clientCAPath, setting: "SANDBOX_TLS_CLIENT_CA")
                )
                // Verify the chain but not a host name, which a client certificate does not have.
                configuration.certificateVerification = .noHostnameVerification
            }
            // Building a context makes BoringSSL check that the key belongs to the leaf certificate.
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw ConfigurationError(
                    setting: "SANDBOX_TLS_KEY",
                    reason: "must be the private key of the certificate in SANDBOX_TLS_CERT (\(self.privateKeyPath))"
                )
            }
            return configuration
        }

        private static func loadCertificates(
            _ path: String, setting: String
        ) throws(ConfigurationError) -> [NIOSSLCertificate] {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw ConfigurationError(setting: setting, reason: "must name a PEM certificate file (\(path))")
            }
            guard !certificates.isEmpty else {
                throw ConfigurationError(setting: setting, reason: "must name a PEM certificate file (\(path))")
            }
            return certificates
        }
    }
}
