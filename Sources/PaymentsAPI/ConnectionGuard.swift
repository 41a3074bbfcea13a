import CoreMetrics
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import PaymentsSupport
import Synchronization

/// Connection hygiene for the HTTP server, one instance per connection, sharing one ``ConnectionGuard/Budget``:
///
/// - beyond `maximumConnections` open at once, a connection's request is answered `503` problem+json with
///   `Connection: close` and the connection closed; one that sends no complete request head within a second is
///   closed without an answer;
/// - a request body must arrive within `bodyTimeout` of its head, or the connection is closed (the handler sees an
///   incomplete body).
///
/// Idle connections, and connections still sending their request head, are closed by Hummingbird's idle timeout.
public final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// What every connection's guard shares: the limits, the count of open connections, and their metrics.
    public final class Budget: Sendable {
        let maximumConnections: Int
        let bodyTimeout: Duration
        let open = Atomic(0)
        let refused: Counter
        let logger: Logger
        let atCapacity = Atomic(false)

        /// Creates a budget.
        public init(maximumConnections: Int, bodyTimeout: Duration, logger: Logger, metrics: any MetricsFactory) {
            self.maximumConnections = maximumConnections
            self.bodyTimeout = bodyTimeout
            self.logger = logger
            self.refused = Counter(label: "http_connections_refused_total", dimensions: [], factory: metrics)
        }

        /// Counts a connection in; `false` when it is one too many.
        func admit() -> Bool {
            let count = open.add(1, ordering: .relaxed).newValue
            let admitted = count <= maximumConnections
            if !admitted, !atCapacity.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "HTTP connection limit reached: refusing new connections",
                    metadata: ["maximum_connections": "\(maximumConnections)"])
            } else if admitted, count < maximumConnections * 9 / 10 {
                atCapacity.store(false, ordering: .relaxed)
            }
            return admitted
        }

        func release() {
            open.subtract(1, ordering: .relaxed)
        }
    }

    private let budget: Budget
    private var admitted = false
    private var counted = false
    private var deadline: Scheduled<Void>?

    /// Creates the guard of one connection.
    public init(budget: Budget) {
        self.budget = budget
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        admitted = budget.admit()
        if !admitted {
            budget.refused.increment()
            schedule(.seconds(1), context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if counted {
            counted = false
            budget.release()
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard admitted else {
            if case .head = part { refuse(context: context) }
            return
        }
        switch part {
        case .head:
            schedule(budget.bodyTimeout, context: context)
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    /// Closes the connection if the deadline passes first.
    private func schedule(_ timeout: Duration, context: ChannelHandlerContext) {
        deadline?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.wholeNanoseconds))) {
            loopBound.value.close(promise: nil)
        }
    }

    /// `503` problem+json, then close: this server is at its connection limit.
    private func refuse(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        let body = ByteBuffer(
            string: #"{"type":"/problems/too-many-connections","title":"Service unavailable","status":503,"#
                + #""detail":"The server has as many connections open as it takes; retry shortly."}"#)
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = "\(body.readableBytes)"
        fields[.connection] = "close"
        fields[.retryAfter] = "1"
        context.write(
            wrapOutboundOut(.head(HTTPResponse(status: .serviceUnavailable, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
