extension SpanContext {
    /// Parses a W3C `traceparent` header (and optionally `tracestate`) into a remote span context.
    ///
    /// Returns `nil` when the header is not valid: version `ff`, upper-case or non-hex digits, wrong field lengths,
    /// an all-zero trace or parent id, or — for version `00` — anything after the flags. A later version is read by
    /// its first four fields, as the spec asks. An invalid `tracestate` is dropped, not the whole context.
    ///
    /// ```swift
    /// let context = SpanContext(
    ///     traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ///     traceState: "rojo=00f067aa0ba902b7"
    /// )
    /// ```
    public init?(traceParent: String, traceState: String? = nil) {
        let utf8 = Array(traceParent.trimmingTraceHeaderWhitespace().utf8)
        // version(2) - trace-id(32) - parent-id(16) - flags(2)
        guard utf8.count >= 55, utf8[2] == UInt8(ascii: "-"), utf8[35] == UInt8(ascii: "-"),
            utf8[52] == UInt8(ascii: "-"), let version = TraceHexCoding.decode(utf8[0..<2]), version != 0xff
        else { return nil }
        if version == 0 {
            guard utf8.count == 55 else { return nil }
        } else if utf8.count > 55 {
            // Future versions may append fields, but only after another dash.
            guard utf8[55] == UInt8(ascii: "-") else { return nil }
        }
        guard let high = TraceHexCoding.decode(utf8[3..<19]), let low = TraceHexCoding.decode(utf8[19..<35]),
            let span = TraceHexCoding.decode(utf8[36..<52]), let flags = TraceHexCoding.decode(utf8[53..<55])
        else { return nil }
        let traceID = TraceID(high: high, low: low)
        let spanID = SpanID(rawValue: span)
        guard traceID.isValid, spanID.isValid else { return nil }
        self.init(
            traceID: traceID, spanID: spanID, traceFlags: TraceFlags(rawValue: UInt8(flags)),
            traceState: traceState.flatMap { TraceState(header: $0) } ?? TraceState(), isRemote: true
        )
    }

    /// The `traceparent` header value for this context, always version `00`.
    ///
    /// ```swift
    /// context.traceParentHeader   // "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    /// ```
    public var traceParentHeader: String {
        var output: [UInt8] = []
        output.reserveCapacity(55)
        output.append(contentsOf: "00-".utf8)
        TraceHexCoding.append(traceID.high, byteCount: 8, to: &output)
        TraceHexCoding.append(traceID.low, byteCount: 8, to: &output)
        output.append(UInt8(ascii: "-"))
        TraceHexCoding.append(spanID.rawValue, byteCount: 8, to: &output)
        output.append(UInt8(ascii: "-"))
        // Version 00 defines only the low two bits; unknown bits from a newer peer must not be echoed.
        TraceHexCoding.append(UInt64(traceFlags.rawValue & 0x03), byteCount: 1, to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
