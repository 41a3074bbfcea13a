import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL cluster of a test's own, so that the test may stop and start it without disturbing the shared one.
final class PostgresCluster: @unchecked Sendable {
    let directory: String
    let port: Int
    private let bin: String

    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    init() throws {
        guard let bin = ProcessInfo.processInfo.environment["PAYMENTS_TEST_PG_BIN"] else {
            throw ContractFailure("PAYMENTS_TEST_PG_BIN is not set: run the suite with scripts/test.sh")
        }
        self.bin = bin
        directory = "/tmp/payments-test-pg-\(UUID().uuidString.prefix(8))"
        port = freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.shell("chmod 755 '\(directory)'", asDatabaseUser: false)
        if getuid() == 0 { try Self.shell("chown postgres '\(directory)'", asDatabaseUser: false) }
        try Self.shell("'\(bin)/initdb' -D '\(directory)/data' -U postgres --auth=trust --no-sync > /dev/null")
        try start()
    }

    func start() throws {
        try Self.shell(
            "'\(bin)/pg_ctl' -D '\(directory)/data' -l '\(directory)/log' -w -o \"-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 -c fsync=off\" start > /dev/null"
        )
    }

    /// A fast shutdown: sessions are disconnected and the server stops, as when a database is restarted.
    func stop() throws {
        try Self.shell("'\(bin)/pg_ctl' -D '\(directory)/data' -m fast -w stop > /dev/null")
    }

    func destroy() {
        try? Self.shell("'\(bin)/pg_ctl' -D '\(directory)/data' -m immediate stop > /dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a shell command to completion with posix_spawn and waitpid: Foundation's Process can miss the exit of `su`
    /// children on Linux and hang in `waitUntilExit`.
    private static func shell(_ command: String, asDatabaseUser: Bool = true) throws {
        let arguments =
            asDatabaseUser && getuid() == 0
            ? ["/bin/su", "postgres", "-s", "/bin/bash", "-c", command] : ["/bin/bash", "-c", command]
        var pid: pid_t = 0
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, arguments[0], nil, nil, &argv, environ)
        guard spawned == 0 else { throw ContractFailure("could not spawn: \(command)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else { throw ContractFailure("failed (\(status)): \(command)") }
    }
}
