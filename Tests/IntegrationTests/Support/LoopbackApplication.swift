import Hummingbird
import Logging
import PaymentsSupport
import ServiceLifecycle

/// Serves `router` on a free loopback port for the duration of `body`, which is given the port; the server is shut
/// down gracefully whether `body` returns or throws.
func withLoopbackApplication<Context: RequestContext, T: Sendable>(
    router: Router<Context>, logger: Logger, _ body: (Int) async throws -> T
) async throws -> T where Context.Source == ApplicationRequestContextSource {
    let port = OneShotValue<Int>()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { port.set($0.localAddress?.port ?? 0) }, logger: logger
    )
    let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
    let task = Task { try await group.run() }
    let result: Result<T, any Error>
    do {
        result = .success(try await body(await port.value))
    } catch {
        result = .failure(error)
    }
    await group.triggerGracefulShutdown()
    try await task.value
    return try result.get()
}
