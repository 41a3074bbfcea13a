/// The `partial_success` of an `Export{Trace,Metrics,Logs}ServiceResponse`: the collector accepted the request but
/// rejected some items.
public struct OTLPPartialSuccess: Sendable, Hashable {
    /// The response body is not a well-formed protobuf message.
    public struct DecodingError: Error, Sendable, Hashable {}

    /// Rejected spans, data points or log records (field 1 in all three signals).
    public var rejectedCount: Int64
    /// The collector's explanation (field 2), possibly empty.
    public var errorMessage: String

    /// Creates a value.
    public init(rejectedCount: Int64, errorMessage: String) {
        self.rejectedCount = rejectedCount
        self.errorMessage = errorMessage
    }

    /// Decodes the `partial_success` (field 1) of a response body; `nil` when absent, which means full success.
    ///
    /// All three response messages share this shape, so one decoder serves every signal.
    public init?(responseBody bytes: [UInt8]) throws(DecodingError) {
        do {
            var response = ProtobufReader(bytes)
            var found: OTLPPartialSuccess?
            while let (field, wireType) = try response.nextTag() {
                guard field == 1, wireType == .lengthDelimited else {
                    try response.skip(wireType)
                    continue
                }
                var partial = try response.readMessage()
                var result = found ?? OTLPPartialSuccess(rejectedCount: 0, errorMessage: "")
                while let (innerField, innerWireType) = try partial.nextTag() {
                    switch (innerField, innerWireType) {
                    case (1, .varint): result.rejectedCount = Int64(bitPattern: try partial.readVarint())
                    case (2, .lengthDelimited): result.errorMessage = try partial.readString()
                    default: try partial.skip(innerWireType)
                    }
                }
                found = result
            }
            guard let found else { return nil }
            self = found
        } catch {
            throw DecodingError()
        }
    }
}
