/// The kinds of durable work the orchestrator queues.
public enum JobKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Send a payment to the bank.
    case submit
    /// Tell the client's ERP that a payment settled.
    case erpUpdate = "erp_update"
}
