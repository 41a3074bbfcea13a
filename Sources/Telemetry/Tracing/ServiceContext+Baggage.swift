import Tracing

extension ServiceContext {
    /// The W3C baggage travelling with this context, propagated in the `baggage` header.
    ///
    /// ```swift
    /// var context = ServiceContext.current ?? .topLevel
    /// context.baggage = Baggage(["tenant": "blue"])
    /// ```
    public var baggage: Baggage? {
        get { self[BaggageKey.self] }
        set { self[BaggageKey.self] = newValue }
    }
}

/// The service-context key under which ``Baggage`` travels.
///
/// ```swift
/// context[BaggageKey.self] = Baggage(["tenant": "blue"])
/// ```
public enum BaggageKey: ServiceContextKey {
    /// The stored value.
    public typealias Value = Baggage
    /// A stable name for debugging output.
    public static var nameOverride: String? { "telemetry.baggage" }
}
