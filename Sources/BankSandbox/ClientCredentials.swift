import Foundation
import PaymentsSupport

/// The client id and secret presented to `POST /oauth/token`, from HTTP Basic or from the form body (RFC 6749 §2.3.1
/// allows both).
struct ClientCredentials: Sendable, Equatable {
    let clientID: String
    let clientSecret: String

    /// Reads credentials from an `Authorization: Basic ...` header, else from `client_id` / `client_secret` fields.
    init?(authorization: String?, form: [String: String]) {
        if let authorization, let basic = Self.basic(authorization) {
            self = basic
        } else if let clientID = form["client_id"], let clientSecret = form["client_secret"] {
            self.init(clientID: clientID, clientSecret: clientSecret)
        } else {
            return nil
        }
    }

    init(clientID: String, clientSecret: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// Whether these are the expected credentials, compared in constant time so response timing reveals nothing.
    func matches(clientID: String, clientSecret: String) -> Bool {
        // Evaluate both comparisons so timing does not reveal which one failed.
        let idMatches = ConstantTime.equals(self.clientID, clientID)
        let secretMatches = ConstantTime.equals(self.clientSecret, clientSecret)
        return idMatches && secretMatches
    }

    private static func basic(_ header: String) -> ClientCredentials? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1].trimmingASCIIWhitespace())),
            let pair = String(data: decoded, encoding: .utf8),
            let colon = pair.firstIndex(of: ":")
        else { return nil }
        // RFC 6749 form-encodes id and secret before Basic encoding; decoding is a no-op for plain values.
        let id = String(pair[..<colon])
        let secret = String(pair[pair.index(after: colon)...])
        return ClientCredentials(clientID: FormBody.decode(id), clientSecret: FormBody.decode(secret))
    }
}
