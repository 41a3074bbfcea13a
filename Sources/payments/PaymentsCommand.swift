import ArgumentParser

/// `payments`: the payment orchestrator and its tools.
@main
struct PaymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments",
        abstract: "Payment orchestration service: client API, bank client, webhooks and durable workers.",
        version: PaymentsVersion.current,
        subcommands: [
            ServeCommand.self, BankSandboxCommand.self, MigrateCommand.self, DemoCommand.self, AdminCommand.self,
            APIKeyCommand.self, ResealCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
