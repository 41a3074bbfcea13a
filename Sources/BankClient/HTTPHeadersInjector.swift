import Instrumentation
import NIOHTTP1

/// Writes propagation headers (`traceparent`, `tracestate`, `baggage`) into an outgoing request.
struct HTTPHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into headers: inout HTTPHeaders) {
        headers.replaceOrAdd(name: key, value: value)
    }
}
