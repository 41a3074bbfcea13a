import Tracing

/// Injects into a `[String: String]`, for storing a trace context with a record (a database row, a queued job) and for tests.
///
/// ```swift
/// var headers: [String: String] = [:]
/// tracer.inject(span.context, into: &headers, using: DictionaryInjector())
/// headers["traceparent"]   // "00-…-…-01"
/// ```
public struct DictionaryInjector: Injector {
    /// Creates the injector.
    ///
    /// ```swift
    /// let injector = DictionaryInjector()
    /// ```
    public init() {}

    /// Sets `carrier[key] = value`.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Extracts from a `[String: String]`, the counterpart of ``DictionaryInjector``.
///
/// ```swift
/// var context = ServiceContext.topLevel
/// tracer.extract(["traceparent": stored], into: &context, using: DictionaryExtractor())
/// ```
public struct DictionaryExtractor: Extractor {
    /// Creates the extractor.
    ///
    /// ```swift
    /// let extractor = DictionaryExtractor()
    /// ```
    public init() {}

    /// Returns `carrier[key]`.
    public func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
