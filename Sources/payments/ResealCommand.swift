import ArgumentParser
import Foundation
import PaymentsApp
import PaymentsCore
import PaymentsSupport

/// `payments reseal`: re-seals every stored recipient identifier under the first data key, online and resumable, so
/// that an older key can then leave the ring.
struct ResealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reseal",
        abstract: "Re-seal every stored account number under the first data key (online, resumable), then say how "
            + "many values each key still seals.")

    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (DATABASE_URL).") var databaseURL: String?
    @Option(help: "Payments re-sealed per transaction (1 to 10000).") var batch = 200

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be from 1 to 10000") }
    }

    func run() async throws {
        let environment = Environment.process
        do {
            let logger = try LogBootstrap.bootstrap(environment: environment, onStandardError: true)
            let database = try ServeConfiguration.database(environment: environment, flag: databaseURL)
            let ring = try loadDataKeys(environment: environment, database: database)
            let sealing = ring.sealingKeyID
            let batch = batch
            try await StoreConnection.with(
                database, ring: ring, setting: databaseURL != nil ? "--database-url" : "DATABASE_URL",
                logger: logger
            ) { store in
                try await store.checkReady()
                let before = try await store.sealedValueCounts()
                let toDo = before.filter { $0.key != sealing }.values.reduce(0, +)
                print("sealed now: \(Self.describe(before)); re-sealing \(toDo) under \(sealing)")
                var done = 0
                while true {
                    let count = try await store.resealBatch(limit: batch)
                    if count == 0 { break }
                    done += count
                    let share = toDo > 0 ? min(100, done * 100 / toDo) : 100
                    print("re-sealed \(done) of \(toDo) (\(share) %)")
                }
                let after = try await store.sealedValueCounts()
                print("sealed now: \(Self.describe(after))")
                if after.keys.contains(where: { $0 != sealing }) {
                    print(
                        "values under older keys remain (written meanwhile by an instance still sealing with one?): "
                            + "run reseal again once every instance seals with \(sealing)")
                    throw ExitCode(1)
                }
                print("every value is sealed by \(sealing): the other keys may leave the ring")
            }
        } catch let error as ConfigurationError {
            exitWithConfigurationError(error)
        } catch let error as StoreError {
            // A value that does not open (a key already removed from the ring?) is named, never shown.
            FileHandle.standardError.write(Data("payments: \(error): \(error.debugDescription)\n".utf8))
            throw ExitCode(1)
        }
    }

    private static func describe(_ counts: [String: Int]) -> String {
        counts.isEmpty
            ? "nothing" : counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }
}
