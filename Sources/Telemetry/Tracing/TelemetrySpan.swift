import Synchronization
import Tracing

/// The span handed out by ``TelemetryTracer``.
///
/// A sampled span records under one uncontended `Mutex`; an unsampled span keeps no data at all (``isRecording`` is
/// `false`) but still carries its ``SpanContext`` so children and outgoing requests stay in the same trace.
public final class TelemetrySpan: Span {
    private struct State {
        var name: String
        var attributes = SpanAttributes()
        var events: [FinishedSpan.Event] = []
        var links: [FinishedSpan.Link] = []
        var status: SpanStatus?
        var isEnded = false
    }

    /// The service context with this span's ``SpanContext``, for children and for propagation.
    public let context: ServiceContext
    /// This span's ids and flags.
    public let spanContext: SpanContext
    /// The parent's span id, local or remote; `nil` for a root span.
    public let parentSpanID: SpanID?
    /// The span kind.
    public let kind: SpanKind
    /// Whether this span was sampled and records what is set on it.
    public let isRecording: Bool
    private let startTimeNanosecondsSinceEpoch: UInt64
    private let processor: (any SpanProcessor)?
    /// The reference that `context` carries for ``TelemetryTracer/activeSpan(identifiedBy:)``, kept here too so that
    /// ending the span clears it without a service-context lookup (a dynamic cast) on every span.
    private let activeReference: ActiveSpanReference?
    private let state: Mutex<State>

    init(
        name: String, context: ServiceContext, spanContext: SpanContext, parentSpanID: SpanID?, kind: SpanKind,
        startTimeNanosecondsSinceEpoch: UInt64, processor: (any SpanProcessor)?,
        activeReference: ActiveSpanReference?
    ) {
        self.context = context
        self.activeReference = activeReference
        self.spanContext = spanContext
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.isRecording = processor != nil
        self.startTimeNanosecondsSinceEpoch = startTimeNanosecondsSinceEpoch
        self.processor = processor
        var initial = State(name: name)
        // Room for the attributes a recording span usually gets, so that setting them one by one does not regrow the
        // table.
        if processor != nil { initial.attributes = SpanAttributes([String: SpanAttribute](minimumCapacity: 8)) }
        self.state = Mutex(initial)
    }

    /// The operation name; may be refined while the span runs (for example to the matched route).
    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    /// The span's attributes. Writing through the subscript (`span.attributes["k"] = v`) moves the set out and back
    /// in, so it is changed in place instead of being copied on every write; empty and ignored when not recording.
    public var attributes: SpanAttributes {
        get { isRecording ? state.withLock { $0.attributes } : SpanAttributes() }
        set {
            guard isRecording else { return }
            state.withLock { $0.attributes = newValue }
        }
        _modify {
            guard isRecording else {
                var discarded = SpanAttributes()
                yield &discarded
                return
            }
            var taken = SpanAttributes()
            state.withLock { swap(&taken, &$0.attributes) }
            defer {
                state.withLock { current in
                    if current.attributes.isEmpty {
                        swap(&current.attributes, &taken)
                    } else {
                        // Another thread wrote while we held the set; keep both, ours last.
                        current.attributes.merge(taken)
                    }
                }
            }
            yield &taken
        }
    }

    /// Changes several attributes under one move-out/move-in instead of copying the set (shadows the protocol
    /// extension's get-then-set version when called on this type).
    public func updateAttributes(_ update: (inout SpanAttributes) -> Void) {
        update(&attributes)
    }

    /// Sets the status. `ok` is final, as OpenTelemetry specifies; later calls are ignored.
    public func setStatus(_ status: SpanStatus) {
        guard isRecording else { return }
        state.withLock { state in
            if state.status?.code == .ok { return }
            state.status = status
        }
    }

    /// Adds an event.
    public func addEvent(_ event: SpanEvent) {
        guard isRecording else { return }
        let event = FinishedSpan.Event(event)
        state.withLock { $0.events.append(event) }
    }

    /// Records an `exception` event with `exception.type` and `exception.message` (OpenTelemetry semantic
    /// conventions). It does not change the status: `withSpan` does that, and a handled error may not be a failure.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        guard isRecording else { return }
        var eventAttributes: SpanAttributes = [
            "exception.type": .string(String(reflecting: type(of: error))),
            "exception.message": .string(String(describing: error)),
        ]
        eventAttributes.merge(attributes)
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: eventAttributes))
    }

    /// Links another span, such as the request that enqueued the job this span runs; ignored when the linked
    /// context carries no span.
    public func addLink(_ link: SpanLink) {
        guard isRecording, let linked = link.context.spanContext else { return }
        let record = FinishedSpan.Link(context: linked, rawAttributes: link.attributes)
        state.withLock { $0.links.append(record) }
    }

    /// Ends the span and, when sampled, hands it to the span processor. Later calls do nothing.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        // An unsampled span has nothing to hand over, so ending it costs nothing.
        guard let processor else { return }
        let taken: State? = state.withLock { state in
            guard !state.isEnded else { return nil }
            state.isEnded = true
            // Move the data out so the record is built without copying.
            var taken = State(name: state.name)
            swap(&taken, &state)
            state.isEnded = true
            state.name = taken.name
            return taken
        }
        guard let taken else { return }
        activeReference?.set(nil)
        processor.onEnd(
            FinishedSpan(
                context: spanContext, parentSpanID: parentSpanID, name: taken.name, kind: kind,
                startTimeNanosecondsSinceEpoch: startTimeNanosecondsSinceEpoch,
                endTimeNanosecondsSinceEpoch: instant().nanosecondsSinceEpoch, rawAttributes: taken.attributes,
                events: taken.events, links: taken.links, status: taken.status))
    }
}
