import Foundation

/// A payment a simulated client asked for, and what it has learnt of it.
struct ClientRequest {
    var clientID: String
    var clientRef: String
    var key: String?
    var amount: Int64
    /// The payment the API answered with, once it has.
    var paymentID: UUID?

    /// Takes in the API's answer to one attempt; returns the rule it breaks, if it breaks one.
    mutating func take(_ answer: ClientAnswer, to attempt: ClientAttempt) -> String? {
        switch (attempt, answer) {
        case (_, .failed):
            return nil
        case (.conflicting, .conflict):
            return nil
        case (.conflicting(let known), _):
            return "\(clientRef): a request reusing payment \(known.uuidString.lowercased())'s key with another "
                + "amount was answered \(answer) instead of a conflict"
        case (_, .conflict):
            return "\(clientRef): the same request again was answered with a conflict"
        case (_, .created(let id)), (_, .replayed(let id)):
            if let paymentID, paymentID != id {
                return "\(clientRef): one request made two payments, \(paymentID.uuidString.lowercased()) and "
                    + id.uuidString.lowercased()
            }
            paymentID = id
            return nil
        }
    }
}

/// Which attempt of a request a client makes.
enum ClientAttempt: Sendable, CustomStringConvertible {
    case first
    /// The same request again (a client retrying after a timeout).
    case retry
    /// The same key with a different amount (a client bug), once the first is known to be stored.
    case conflicting(knownPayment: UUID)

    var description: String {
        switch self {
        case .first: "first attempt"
        case .retry: "retry"
        case .conflicting: "same key, another amount"
        }
    }
}

/// What the API answered.
enum ClientAnswer: Sendable, CustomStringConvertible {
    case created(UUID)
    case replayed(UUID)
    case conflict
    case failed

    var paymentID: UUID? {
        switch self {
        case .created(let id), .replayed(let id): id
        case .conflict, .failed: nil
        }
    }

    var description: String {
        switch self {
        case .created(let id): "created \(id.uuidString.lowercased().prefix(8))"
        case .replayed(let id): "replayed \(id.uuidString.lowercased().prefix(8))"
        case .conflict: "conflict"
        case .failed: "error"
        }
    }
}
