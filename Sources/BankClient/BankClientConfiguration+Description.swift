// Printing a configuration (in an error report or a service list) must not print its credentials.
extension BankClientConfiguration.Authentication: CustomStringConvertible, CustomReflectable {
    public var description: String {
        switch self {
        case .oauth2(let tokenURL, _, _): "oauth2(token URL: \(tokenURL), client credentials redacted)"
        case .apiKey: "api_key(redacted)"
        }
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
