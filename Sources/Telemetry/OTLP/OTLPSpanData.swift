/// A finished span, ready for export (`opentelemetry.proto.trace.v1.Span` plus the resource and scope it belongs
/// to, so that a batch can mix several of each and still be grouped as OTLP requires).
public struct OTLPSpanData: Sendable, Hashable {
    /// What a span represents in a distributed call (`Span.SpanKind`).
    public enum Kind: UInt8, Sendable, Hashable {
        /// Not specified; collectors treat it as internal.
        case unspecified = 0
        /// An internal operation.
        case `internal` = 1
        /// The server side of a synchronous request.
        case server = 2
        /// The client side of a synchronous request.
        case client = 3
        /// The sender of an asynchronous message.
        case producer = 4
        /// The receiver of an asynchronous message.
        case consumer = 5
    }

    /// A timestamped annotation on a span (`Span.Event`).
    public struct Event: Sendable, Hashable {
        /// The event's name.
        public var name: String
        /// When it happened, in nanoseconds since the Unix epoch.
        public var timeUnixNano: UInt64
        /// The event's attributes.
        public var attributes: OTLPAttributes
        /// How many attributes were dropped.
        public var droppedAttributesCount: UInt32

        /// Creates an event.
        public init(
            name: String, timeUnixNano: UInt64, attributes: OTLPAttributes = [:], droppedAttributesCount: UInt32 = 0
        ) {
            self.name = name
            self.timeUnixNano = timeUnixNano
            self.attributes = attributes
            self.droppedAttributesCount = droppedAttributesCount
        }
    }

    /// A pointer to another span, possibly in another trace (`Span.Link`).
    public struct Link: Sendable, Hashable {
        /// The linked span's trace.
        public var traceID: TraceID
        /// The linked span.
        public var spanID: SpanID
        /// The linked span's W3C `tracestate`.
        public var traceState: String
        /// The link's attributes.
        public var attributes: OTLPAttributes
        /// W3C trace flags of the linked span in the low byte (bit 0: sampled).
        public var flags: UInt32
        /// How many attributes were dropped.
        public var droppedAttributesCount: UInt32

        /// Creates a link.
        public init(
            traceID: TraceID, spanID: SpanID, traceState: String = "", attributes: OTLPAttributes = [:],
            flags: UInt32 = 0, droppedAttributesCount: UInt32 = 0
        ) {
            self.traceID = traceID
            self.spanID = spanID
            self.traceState = traceState
            self.attributes = attributes
            self.flags = flags
            self.droppedAttributesCount = droppedAttributesCount
        }
    }

    /// A span's outcome (`opentelemetry.proto.trace.v1.Status`).
    public struct Status: Sendable, Hashable {
        /// The outcome's code.
        public enum Code: UInt8, Sendable, Hashable {
            /// Not set: the default.
            case unset = 0
            /// Explicitly successful.
            case ok = 1
            /// Failed.
            case error = 2
        }

        /// The code.
        public var code: Code
        /// A developer-facing message, usually only with `.error`.
        public var message: String

        /// Creates a status.
        public init(code: Code = .unset, message: String = "") {
            self.code = code
            self.message = message
        }

        /// No status set.
        public static let unset = Status()
    }

    /// The process or service that produced the span.
    public var resource: OTLPResource
    /// The tracer that produced the span.
    public var scope: OTLPInstrumentationScope
    /// The trace the span belongs to.
    public var traceID: TraceID
    /// The span's own id.
    public var spanID: SpanID
    /// The parent span, or `nil` for a root span.
    public var parentSpanID: SpanID?
    /// The W3C `tracestate` of the span's context.
    public var traceState: String
    /// W3C trace flags in the low byte (bit 0: sampled), and OTLP's `SpanFlags` remote bits (0x100, 0x200).
    public var flags: UInt32
    /// The operation's name.
    public var name: String
    /// The span's kind.
    public var kind: Kind
    /// When the span started, in nanoseconds since the Unix epoch.
    public var startTimeUnixNano: UInt64
    /// When the span ended, in nanoseconds since the Unix epoch.
    public var endTimeUnixNano: UInt64
    /// The span's attributes.
    public var attributes: OTLPAttributes
    /// The span's events.
    public var events: [Event]
    /// The span's links.
    public var links: [Link]
    /// The span's outcome.
    public var status: Status
    /// How many attributes were dropped (limits).
    public var droppedAttributesCount: UInt32
    /// How many events were dropped (limits).
    public var droppedEventsCount: UInt32
    /// How many links were dropped (limits).
    public var droppedLinksCount: UInt32

    /// Creates a span.
    public init(
        resource: OTLPResource,
        scope: OTLPInstrumentationScope,
        traceID: TraceID,
        spanID: SpanID,
        parentSpanID: SpanID? = nil,
        traceState: String = "",
        flags: UInt32 = 1,
        name: String,
        kind: Kind = .internal,
        startTimeUnixNano: UInt64,
        endTimeUnixNano: UInt64,
        attributes: OTLPAttributes = [:],
        events: [Event] = [],
        links: [Link] = [],
        status: Status = .unset,
        droppedAttributesCount: UInt32 = 0,
        droppedEventsCount: UInt32 = 0,
        droppedLinksCount: UInt32 = 0
    ) {
        self.resource = resource
        self.scope = scope
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.traceState = traceState
        self.flags = flags
        self.name = name
        self.kind = kind
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.attributes = attributes
        self.events = events
        self.links = links
        self.status = status
        self.droppedAttributesCount = droppedAttributesCount
        self.droppedEventsCount = droppedEventsCount
        self.droppedLinksCount = droppedLinksCount
    }
}
