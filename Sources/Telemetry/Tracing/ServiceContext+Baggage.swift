import Tracing

extension ServiceContext {
    /// The W3C baggage travelling with this context, propagated in the `baggage` header.
    public var baggage: Baggage? {
        get { self[BaggageKey.self] }
        set { self[BaggageKey.self] = newValue }
    }
}

/// The service-context key under which ``Baggage`` travels.
public enum BaggageKey: ServiceContextKey {
    /// The stored value.
    public typealias Value = Baggage
    /// A stable name for debugging output.
    public static var nameOverride: String? { "telemetry.baggage" }
}
