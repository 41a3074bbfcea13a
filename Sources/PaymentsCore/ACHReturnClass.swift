/// The classes NACHA watches an originator's returns in, each against its own threshold of entries over 60 days:
/// unauthorized (0.5 %), administrative (3 %); every return counts towards the overall rate (15 %).
public enum ACHReturnClass: String, Sendable, CaseIterable {
    /// The receiver says the debit was not authorized, or its authorization was revoked.
    case unauthorized
    /// The account does not exist, is closed or its number is invalid: bad data from the originator.
    case administrative
    /// Every other reason (insufficient funds, payment stopped, ...).
    case other

    /// The class of an ACH return code such as `R10`.
    public init(code: String) {
        switch code {
        case "R05", "R07", "R10", "R11", "R29", "R51": self = .unauthorized
        case "R02", "R03", "R04": self = .administrative
        default: self = .other
        }
    }

    /// The codes most returns carry, whose series are registered at zero: every unauthorized and administrative
    /// code, and the common others.
    public static let commonCodes = [
        "R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10", "R11", "R16", "R20", "R29", "R51",
    ]
}
