import Foundation

/// The port to the deployment's ERP (`ERP_WEBHOOK_URL`), which is told, for every client, when a payment settles or
/// is corrected.
public protocol ERPGateway: Sendable {
    /// Sends the payment's current state as notification `id` (the same on every retry); the worker retries a failure
    /// with backoff.
    func notify(_ payment: Payment, id: UUID) async -> ERPNotificationResult
}

/// What telling the ERP came to.
public enum ERPNotificationResult: Sendable, Hashable {
    /// The ERP acknowledged it.
    case delivered
    /// There is nothing to tell (no ERP is configured); kept with the reason.
    case skipped(reason: String)
    /// The ERP did not acknowledge it; worth trying again. The reason names no secret.
    case failed(reason: String)
}

/// The ERP of a deployment that has none: every notification is skipped, and the job's record says why.
public struct UnconfiguredERPGateway: ERPGateway {
    /// Why nothing is sent.
    public var reason: String

    /// A gateway that skips with `reason`.
    public init(reason: String = "ERP_WEBHOOK_URL is not set") {
        self.reason = reason
    }

    public func notify(_ payment: Payment, id: UUID) async -> ERPNotificationResult {
        .skipped(reason: reason)
    }
}
