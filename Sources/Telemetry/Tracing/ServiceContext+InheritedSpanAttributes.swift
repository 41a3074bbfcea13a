import Tracing

extension ServiceContext {
    /// Attributes that every span started in this context, and in the contexts of its descendants, gets when it
    /// starts: for identifiers that must be on every span of a unit of work, including spans made by libraries
    /// (an HTTP client's) that know nothing of them. They stay in this process; they are not propagated.
    public var inheritedSpanAttributes: SpanAttributes? {
        get { self[InheritedSpanAttributesKey.self] }
        set { self[InheritedSpanAttributesKey.self] = newValue }
    }
}

/// The service-context key of ``ServiceModule/ServiceContext/inheritedSpanAttributes``.
enum InheritedSpanAttributesKey: ServiceContextKey {
    typealias Value = SpanAttributes
    static var nameOverride: String? { "telemetry.inherited_span_attributes" }
}
