import ArgumentParser
import PaymentsCore

/// `payments api-key`: client API keys.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "Client API keys: create one, with the configuration entry that accepts it.",
        subcommands: [NewAPIKeyCommand.self])
}

/// `payments api-key new --client <id>`: a new key, shown once, and its `PAYMENTS_API_KEYS` entry, which holds only
/// the key's SHA-256.
struct NewAPIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create a client API key; print it once, with its PAYMENTS_API_KEYS entry.")

    @Option(help: "The client's id (1 to 64 of A-Z a-z 0-9 . _ -).") var client: String

    func validate() throws {
        guard APIClient.isValidID(client) else {
            throw ValidationError("--client must be 1 to 64 of A-Z a-z 0-9 . _ -")
        }
    }

    func run() async throws {
        let (key, entry) = APIClient.newKey(forClient: client)
        print(
            """
            API key for client \(client) (shown once: give it to the client; it is not stored anywhere):
                \(key)
            Add this entry to PAYMENTS_API_KEYS (comma-separated; keep the client's old entry until it has switched):
                \(entry)
            """)
    }
}
