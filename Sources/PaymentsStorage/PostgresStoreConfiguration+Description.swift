// Printing a configuration (in an error report, a service list or a debugger) must not print its password.
extension PostgresStoreConfiguration: CustomStringConvertible, CustomReflectable {
    /// `postgres://payments:(redacted)@db.internal:5432/payments (tls: verifyFull, pool: 20)`.
    public var description: String {
        let credentials = password == nil ? username : "\(username):(redacted)"
        let hostText = host.contains(":") ? "[\(host)]" : host
        return
            "postgres://\(credentials)@\(hostText):\(port)/\(database ?? "") (tls: \(tls.rawValue), pool: \(maximumConnections))"
    }

    /// Shows ``description`` only, so `dump` and debuggers do not list the password field.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
