import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A tiny OTLP/HTTP collector on loopback: it records every request and answers from a script.
public final class OTLPTestCollector: Sendable {
    /// One recorded request.
    public struct Request: Sendable {
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]
        public var receivedAt: ContinuousClock.Instant
    }

    /// One scripted answer.
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String] = [:]
        public var body: [UInt8] = []

        public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static let ok = Answer(status: 200)
    }

    private actor Recorder {
        var requests: [Request] = []
        var script: [Answer]
        let fallback: Answer

        init(script: [Answer], fallback: Answer) {
            self.script = script
            self.fallback = fallback
        }

        func record(_ request: Request) -> Answer {
            requests.append(request)
            return script.isEmpty ? fallback : script.removeFirst()
        }
    }

    private let recorder: Recorder

    private init(script: [Answer], fallback: Answer) {
        recorder = Recorder(script: script, fallback: fallback)
    }

    /// Everything received so far, in order.
    public var requests: [Request] {
        get async { await recorder.requests }
    }

    private static let logger: Logger = {
        var logger = Logger(label: "otlp-test-collector")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs a collector answering `script` in order and then `fallback`, calls `body` with its base URL
    /// (`http://127.0.0.1:PORT`), and stops it.
    public static func run<Result: Sendable>(
        script: [Answer] = [], fallback: Answer = .ok,
        _ body: @Sendable (_ baseURL: String, _ collector: OTLPTestCollector) async throws -> Result
    ) async throws -> Result {
        let collector = OTLPTestCollector(script: script, fallback: fallback)
        let router = Router()
        for path in ["/v1/traces", "/v1/metrics", "/v1/logs", "/custom/traces"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                var request = request
                let buffer = try await request.collectBody(upTo: 16 << 20)
                var headers: [String: String] = [:]
                for field in request.headers {
                    headers[field.name.canonicalName] = field.value
                }
                let answer = await collector.recorder.record(
                    Request(
                        path: path, headers: headers, body: Array(buffer: buffer),
                        receivedAt: ContinuousClock.now))
                var fields = HTTPFields()
                fields[.contentType] = "application/x-protobuf"
                for (name, value) in answer.headers {
                    fields[HTTPField.Name(name)!] = value
                }
                return Response(
                    status: HTTPResponse.Status(code: answer.status), headers: fields,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(services: [application], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CollectorDidNotStart() }
                let result = try await body("http://127.0.0.1:\(port)", collector)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    public struct CollectorDidNotStart: Error {}
}
