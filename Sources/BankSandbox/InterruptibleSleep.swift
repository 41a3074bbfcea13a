import ServiceLifecycle

/// Sleeps for `duration` unless the server begins a graceful shutdown or the task is cancelled.
///
/// Injected latency and hangs use this so that a held request never keeps a shutting-down server waiting: the server
/// drains in-flight requests before it stops, and a five-minute hang would otherwise hold it for five minutes.
///
/// - Returns: `true` if the whole duration passed, `false` if it was cut short.
func sleepUnlessShuttingDown(for duration: Duration) async -> Bool {
    do {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
        return true
    } catch {
        return false
    }
}
