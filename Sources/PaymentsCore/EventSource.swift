/// What told us about a status change; shown in a payment's history.
public enum EventSource: String, Sendable, Hashable, Codable {
    /// The client API (creation).
    case api
    /// The bank's answer to our submission.
    case bank
    /// A webhook from the bank.
    case webhook
    /// A worker decision, such as giving up after the last retry.
    case worker
    /// A status poll of a payment whose webhook was late.
    case reconciliation

    /// Whether the bank itself reported the event: its answer, its webhook, or what reconciliation read from it.
    public var isTheBank: Bool {
        switch self {
        case .bank, .webhook, .reconciliation: true
        case .api, .worker: false
        }
    }
}
