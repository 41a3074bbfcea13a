// Service groups and error reports print services and their configuration; secrets must not go with them.
import BankClient

extension ServeConfiguration: CustomStringConvertible, CustomReflectable {
    public var description: String {
        let bankText: String
        switch bank {
        case .embeddedSandbox: bankText = "embedded sandbox"
        case .remote(let configuration): bankText = "remote \(configuration.baseURL)"
        }
        let databaseText: String
        switch database {
        case .sqlite(let path): databaseText = "sqlite:\(path)"
        case .postgres: databaseText = "postgres (credentials redacted)"
        }
        return "ServeConfiguration(listen: \(host):\(port), database: \(databaseText), bank: \(bankText), "
            + "webhook secrets: \(webhookSecrets.count) (redacted), ERP: \(erpWebhookURL == nil ? "off" : "on"))"
    }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension PaymentsServer: CustomStringConvertible {
    public var description: String { "PaymentsServer" }
}
