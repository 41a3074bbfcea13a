/// The library that produced a span, metric or log record (`opentelemetry.proto.common.v1.InstrumentationScope`):
/// for example the tracer's or meter's name.
public struct OTLPInstrumentationScope: Sendable, Hashable {
    /// The scope's name; may be empty.
    public var name: String
    /// The scope's version; may be empty.
    public var version: String
    /// Attributes of the scope.
    public var attributes: OTLPAttributes

    /// Creates a scope.
    public init(name: String, version: String = "", attributes: OTLPAttributes = [:]) {
        self.name = name
        self.version = version
        self.attributes = attributes
    }
}
