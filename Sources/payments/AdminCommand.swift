import ArgumentParser

/// `payments admin`: tools for the engineer on call, working on the database directly (`DATABASE_URL`), so they
/// work whether or not a server is up.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator tools over DATABASE_URL: inspect a payment, list and re-queue dead letters, reconcile now.",
        subcommands: [
            AdminPaymentCommand.self, AdminDeadLettersCommand.self, AdminRequeueCommand.self,
            AdminReconcileCommand.self, AdminSameAccountCommand.self,
        ]
    )
}
