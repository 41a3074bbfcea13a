import Tracing

/// Injects into a `[String: String]`, for storing a trace context with a record (a database row, a queued job) and for tests.
public struct DictionaryInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Sets `carrier[key] = value`.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Extracts from a `[String: String]`, the counterpart of ``DictionaryInjector``.
public struct DictionaryExtractor: Extractor {
    /// Creates the extractor.
    public init() {}

    /// Returns `carrier[key]`.
    public func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
