import Tracing

/// A plain, `Sendable` record of an ended, sampled span: what a ``SpanExporter`` receives.
///
/// Resource and instrumentation scope are not here: they are the same for every span of a process, so the exporter
/// adds them once per request. Attribute sets are kept in swift-distributed-tracing's form until read, so ending a
/// span costs no conversion on the request path; reading ``attributes`` converts on the exporter's task.
public struct FinishedSpan: Sendable {
    /// An event recorded on the span (including `exception` events from `recordError`).
    public struct Event: Sendable {
        /// The event's name.
        public var name: String
        /// When it happened.
        public var timeNanosecondsSinceEpoch: UInt64
        private var rawAttributes: SpanAttributes

        /// Creates an event.
        public init(name: String, timeNanosecondsSinceEpoch: UInt64, attributes: [String: SpanAttributeValue] = [:]) {
            self.name = name
            self.timeNanosecondsSinceEpoch = timeNanosecondsSinceEpoch
            self.rawAttributes = FinishedSpan.makeRawAttributes(attributes)
        }

        init(_ event: SpanEvent) {
            name = event.name
            timeNanosecondsSinceEpoch = event.nanosecondsSinceEpoch
            rawAttributes = event.attributes
        }

        /// The event's attributes.
        public var attributes: [String: SpanAttributeValue] {
            get { SpanAttributeValue.dictionary(from: rawAttributes) }
            set { rawAttributes = FinishedSpan.makeRawAttributes(newValue) }
        }
    }

    /// A link to another span, such as the request that triggered a background job.
    public struct Link: Sendable {
        /// The linked span's context.
        public var context: SpanContext
        private var rawAttributes: SpanAttributes

        /// Creates a link.
        public init(context: SpanContext, attributes: [String: SpanAttributeValue] = [:]) {
            self.context = context
            self.rawAttributes = FinishedSpan.makeRawAttributes(attributes)
        }

        init(context: SpanContext, rawAttributes: SpanAttributes) {
            self.context = context
            self.rawAttributes = rawAttributes
        }

        /// The link's attributes.
        public var attributes: [String: SpanAttributeValue] {
            get { SpanAttributeValue.dictionary(from: rawAttributes) }
            set { rawAttributes = FinishedSpan.makeRawAttributes(newValue) }
        }
    }

    /// The span's own context (trace id, span id, flags, trace state).
    public var context: SpanContext
    /// The parent's span id; `nil` for a root span.
    public var parentSpanID: SpanID?
    /// The operation name.
    public var name: String
    /// Server, client, producer, consumer or internal.
    public var kind: SpanKind
    /// Start time.
    public var startTimeNanosecondsSinceEpoch: UInt64
    /// End time.
    public var endTimeNanosecondsSinceEpoch: UInt64
    /// Events in the order recorded.
    public var events: [Event]
    /// Links in the order added.
    public var links: [Link]
    /// The status; `nil` is OpenTelemetry's "unset".
    public var status: SpanStatus?
    private var rawAttributes: SpanAttributes

    /// Creates a record, for exporters' tests and for replaying spans.
    public init(
        context: SpanContext, parentSpanID: SpanID?, name: String, kind: SpanKind,
        startTimeNanosecondsSinceEpoch: UInt64, endTimeNanosecondsSinceEpoch: UInt64,
        attributes: [String: SpanAttributeValue] = [:], events: [Event] = [], links: [Link] = [],
        status: SpanStatus? = nil
    ) {
        self.init(
            context: context, parentSpanID: parentSpanID, name: name, kind: kind,
            startTimeNanosecondsSinceEpoch: startTimeNanosecondsSinceEpoch,
            endTimeNanosecondsSinceEpoch: endTimeNanosecondsSinceEpoch,
            rawAttributes: Self.makeRawAttributes(attributes), events: events, links: links, status: status)
    }

    init(
        context: SpanContext, parentSpanID: SpanID?, name: String, kind: SpanKind,
        startTimeNanosecondsSinceEpoch: UInt64, endTimeNanosecondsSinceEpoch: UInt64,
        rawAttributes: SpanAttributes, events: [Event], links: [Link], status: SpanStatus?
    ) {
        self.context = context
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startTimeNanosecondsSinceEpoch = startTimeNanosecondsSinceEpoch
        self.endTimeNanosecondsSinceEpoch = endTimeNanosecondsSinceEpoch
        self.rawAttributes = rawAttributes
        self.events = events
        self.links = links
        self.status = status
    }

    /// The trace id (shorthand for `context.traceID`).
    public var traceID: TraceID { context.traceID }
    /// The span id (shorthand for `context.spanID`).
    public var spanID: SpanID { context.spanID }

    /// The span's attributes, converted to plain values on each read (read once per export).
    public var attributes: [String: SpanAttributeValue] {
        get { SpanAttributeValue.dictionary(from: rawAttributes) }
        set { rawAttributes = Self.makeRawAttributes(newValue) }
    }

    static func makeRawAttributes(_ values: [String: SpanAttributeValue]) -> SpanAttributes {
        var result = SpanAttributes()
        for (key, value) in values {
            let attribute: SpanAttribute =
                switch value {
                case .string(let v): .string(v)
                case .int(let v): .int64(v)
                case .double(let v): .double(v)
                case .bool(let v): .bool(v)
                case .stringArray(let v): .stringArray(v)
                case .intArray(let v): .int64Array(v)
                case .doubleArray(let v): .doubleArray(v)
                case .boolArray(let v): .boolArray(v)
                }
            result.set(key, value: attribute)
        }
        return result
    }
}
