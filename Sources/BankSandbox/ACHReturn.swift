/// An ACH return: the R-code and reason a returned payment carries.
struct ACHReturn: Sendable, Equatable {
    /// The NACHA return code, e.g. `R01`.
    let code: String
    /// The human-readable reason, e.g. `Insufficient funds`.
    let reason: String

    /// The codes the sandbox picks from: the common ones an orchestrator must handle.
    static let all: [ACHReturn] = [
        ACHReturn(code: "R01", reason: "Insufficient funds"),
        ACHReturn(code: "R02", reason: "Account closed"),
        ACHReturn(code: "R03", reason: "No account"),
        ACHReturn(code: "R04", reason: "Invalid account number"),
        ACHReturn(code: "R10", reason: "Customer advises not authorized"),
        ACHReturn(code: "R29", reason: "Corporate customer advises not authorized"),
    ]
}
