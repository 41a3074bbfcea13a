import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The smallest HTTP/1.1 server that can take webhook deliveries: on 127.0.0.1 at a port the system picks, it reads
/// each request's head and body (at most ``maximumBodyBytes``; a larger one is answered `413` and the connection
/// closed) and answers with the status the handler returns for the ``Delivery``, with an empty body. Nothing else: no
/// TLS, no routing, no chunked answers.
final class DemoWebhookReceiver: Sendable {
    /// One request as received.
    struct Delivery: Sendable {
        let method: HTTPMethod
        let path: String
        let headers: HTTPHeaders
        let body: [UInt8]
        /// When its last byte arrived.
        let receivedAt: Date
    }

    /// The largest body kept.
    static let maximumBodyBytes = 1 << 20
    /// The most of a larger body read (and dropped) before answering `413`; a request declaring more is answered at
    /// once.
    static let maximumDrainBytes = 8 << 20

    /// The port it listens on, on 127.0.0.1.
    let port: Int
    private let serverChannel: any Channel
    private let connections: Connections

    private init(port: Int, serverChannel: any Channel, connections: Connections) {
        self.port = port
        self.serverChannel = serverChannel
        self.connections = connections
    }

    /// Starts listening; `handle` runs on an event loop for each complete request, so it must be quick.
    static func start(handle: @escaping @Sendable (Delivery) -> HTTPResponseStatus) async throws
        -> DemoWebhookReceiver
    {
        let connections = Connections()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(handle: handle))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return DemoWebhookReceiver(port: port, serverChannel: channel, connections: connections)
    }

    /// Stops listening and closes every open connection.
    func stop() async {
        try? await serverChannel.close()
        for channel in connections.closeAll() { try? await channel.close() }
    }

    /// The accepted connections still open, so that ``stop()`` can close them.
    private final class Connections: Sendable {
        private struct State {
            var open: [ObjectIdentifier: any Channel] = [:]
            var closed = false
        }

        private let state = Mutex(State())

        func add(_ channel: any Channel) {
            let id = ObjectIdentifier(channel)
            let accepted = state.withLock { state in
                guard !state.closed else { return false }
                state.open[id] = channel
                return true
            }
            guard accepted else {
                channel.close(promise: nil)
                return
            }
            channel.closeFuture.whenComplete { [self] _ in
                _ = state.withLock { $0.open.removeValue(forKey: id) }
            }
        }

        /// The open connections; any accepted later is closed at once.
        func closeAll() -> [any Channel] {
            state.withLock { state in
                state.closed = true
                defer { state.open = [:] }
                return Array(state.open.values)
            }
        }
    }

    /// Collects one request at a time (the pipelining handler before it holds back the next) and answers it.
    private final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let handle: @Sendable (Delivery) -> HTTPResponseStatus
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []
        /// Body bytes of the current request, kept or not.
        private var received = 0
        /// Set once an answer closing the connection is on its way: nothing more is read.
        private var closing = false

        init(handle: @escaping @Sendable (Delivery) -> HTTPResponseStatus) {
            self.handle = handle
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !closing else { return }
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
                received = 0
                if let length = head.headers.first(name: "Content-Length").flatMap(Int.init),
                    length > DemoWebhookReceiver.maximumDrainBytes
                {
                    refuse(context: context, version: head.version)
                }
            case .body(let chunk):
                guard let head else { return }
                received += chunk.readableBytes
                if received > DemoWebhookReceiver.maximumDrainBytes {
                    refuse(context: context, version: head.version)
                } else if received > DemoWebhookReceiver.maximumBodyBytes {
                    // Too large to keep: read to its end (within reason) so that the client sees the 413.
                    body = []
                } else {
                    body.append(contentsOf: chunk.readableBytesView)
                }
            case .end:
                guard let head else { return }
                self.head = nil
                guard received <= DemoWebhookReceiver.maximumBodyBytes else {
                    refuse(context: context, version: head.version)
                    return
                }
                let delivery = Delivery(
                    method: head.method, path: head.uri, headers: head.headers, body: body, receivedAt: Date())
                body = []
                respond(handle(delivery), version: head.version, keepAlive: head.isKeepAlive, context: context)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        /// `413`, then the connection is closed: whatever follows is not read.
        private func refuse(context: ChannelHandlerContext, version: HTTPVersion) {
            closing = true
            head = nil
            body = []
            respond(.payloadTooLarge, version: version, keepAlive: false, context: context)
        }

        private func respond(
            _ status: HTTPResponseStatus, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext
        ) {
            var headers = HTTPHeaders()
            if status != .noContent { headers.add(name: "Content-Length", value: "0") }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            let head = HTTPResponseHead(version: version, status: status, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
