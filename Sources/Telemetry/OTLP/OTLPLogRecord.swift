/// A log record, ready for export (`opentelemetry.proto.logs.v1.LogRecord` plus its resource and scope).
public struct OTLPLogRecord: Sendable, Hashable {
    /// OTLP's `SeverityNumber`: 1–24, in four steps per level.
    public struct Severity: RawRepresentable, Sendable, Hashable {
        /// The number, 0 (unspecified) to 24.
        public var rawValue: UInt8

        /// Creates a severity from its number.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Not specified.
        public static let unspecified = Severity(rawValue: 0)
        /// `TRACE`.
        public static let trace = Severity(rawValue: 1)
        /// `DEBUG`.
        public static let debug = Severity(rawValue: 5)
        /// `INFO`.
        public static let info = Severity(rawValue: 9)
        /// `INFO2`, for swift-log's `notice`.
        public static let info2 = Severity(rawValue: 10)
        /// `WARN`.
        public static let warn = Severity(rawValue: 13)
        /// `ERROR`.
        public static let error = Severity(rawValue: 17)
        /// `FATAL`, for swift-log's `critical`.
        public static let fatal = Severity(rawValue: 21)
    }

    /// The process or service that produced the record.
    public var resource: OTLPResource
    /// The logger that produced the record.
    public var scope: OTLPInstrumentationScope
    /// When the event happened, in nanoseconds since the Unix epoch (0 if unknown).
    public var timeUnixNano: UInt64
    /// When the record was collected, in nanoseconds since the Unix epoch.
    public var observedTimeUnixNano: UInt64
    /// The severity number.
    public var severity: Severity
    /// The severity as the source spelled it, such as `info`.
    public var severityText: String
    /// The message; usually a string.
    public var body: OTLPAttributeValue?
    /// The record's attributes (log metadata).
    public var attributes: OTLPAttributes
    /// How many attributes were dropped.
    public var droppedAttributesCount: UInt32
    /// W3C trace flags of the active span in the low byte.
    public var flags: UInt32
    /// The trace active when the record was written.
    public var traceID: TraceID?
    /// The span active when the record was written.
    public var spanID: SpanID?
    /// The name of the event, for records that are events.
    public var eventName: String

    /// Creates a record.
    public init(
        resource: OTLPResource,
        scope: OTLPInstrumentationScope,
        timeUnixNano: UInt64,
        observedTimeUnixNano: UInt64,
        severity: Severity,
        severityText: String = "",
        body: OTLPAttributeValue?,
        attributes: OTLPAttributes = [:],
        droppedAttributesCount: UInt32 = 0,
        traceID: TraceID? = nil,
        spanID: SpanID? = nil,
        flags: UInt32 = 0,
        eventName: String = ""
    ) {
        self.resource = resource
        self.scope = scope
        self.timeUnixNano = timeUnixNano
        self.observedTimeUnixNano = observedTimeUnixNano
        self.severity = severity
        self.severityText = severityText
        self.body = body
        self.attributes = attributes
        self.droppedAttributesCount = droppedAttributesCount
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
        self.eventName = eventName
    }
}
