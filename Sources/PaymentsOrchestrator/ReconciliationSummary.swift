/// What one reconciliation run did.
public struct ReconciliationSummary: Sendable, Hashable {
    /// Whether this instance ran it (another may hold the run).
    public var ran = false
    /// Payments the settlement report listed.
    public var reported = 0
    /// Payments asked about one by one.
    public var queried = 0
    /// Payments whose status changed.
    public var changed = 0
    /// Whether a step failed (the bank or the database could not be read); the log says which.
    public var failed = false

    /// Nothing done yet.
    public init() {}
}
