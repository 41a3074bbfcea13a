// Printing a configuration (in an error report or a service list) must not print its credentials.
extension BankClientConfiguration.Authentication: CustomStringConvertible, CustomReflectable {
    public var description: String {
        switch self {
        case .oauth2(let tokenURL, _, _): "oauth2(token URL: \(tokenURL), client credentials redacted)"
        case .apiKey: "api_key(redacted)"
        // Paths only: the files' contents (the private key above all) are never read here.
        case .mtls(let certificatePath, let privateKeyPath, let caPath):
            "mtls(certificate: \(certificatePath), private key: \(privateKeyPath), CA: \(caPath ?? "system trust roots"))"
        }
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
