/// What a successful export delivered.
public struct OTLPExportResult: Sendable, Hashable {
    /// Spans, data points or log records sent.
    public var itemCount: Int
    /// How many the collector rejected in a partial success.
    public var rejectedCount: Int64
    /// The collector's explanation of a partial success, possibly empty.
    public var rejectionMessage: String
    /// Requests made (1 without retries; 0 when the signal is not exported or the batch was empty).
    public var attempts: Int

    /// Creates a result.
    public init(itemCount: Int, rejectedCount: Int64 = 0, rejectionMessage: String = "", attempts: Int) {
        self.itemCount = itemCount
        self.rejectedCount = rejectedCount
        self.rejectionMessage = rejectionMessage
        self.attempts = attempts
    }
}
