import AsyncHTTPClient
import NIOCore
import PaymentsCore

/// Maps transport failures to ``BankError`` kinds, so the caller can tell "never reached the bank" from "no answer".
enum BankHTTPErrors {
    static func classify(_ error: any Error) -> BankError {
        if let bankError = error as? BankError { return bankError }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return BankError(.timeout)
            default:
                return BankError(.connection)
            }
        }
        if error is CancellationError { return BankError(.timeout) }
        return BankError(.connection)
    }
}
