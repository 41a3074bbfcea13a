import Hummingbird
import PaymentsCore

/// The checks every list route makes on its query string: only the parameters it knows, each at most once, and a
/// `limit` from 1 to 100.
enum ListQuery {
    /// Throws a 422 problem for a parameter not in `allowed` (named only when it is one a client could mean to send)
    /// or given more than once.
    static func checkNames(_ parameters: Parameters, allowed: Set<String>) throws {
        var seen: Set<String> = []
        for (name, _) in parameters {
            let name = String(name)
            guard allowed.contains(name) else {
                let shown = name.unicodeScalars.count <= 64 && TextRules.problem(name, maximum: 64) == nil
                throw Problem.invalidParameter(shown ? name : "(unnamed)", "unknown query parameter")
            }
            guard seen.insert(name).inserted else { throw Problem.invalidParameter(name, "given more than once") }
        }
    }

    /// The `limit` parameter, when given.
    static func limit(_ parameters: Parameters) throws -> Int? {
        guard let limit = parameters.get("limit") else { return nil }
        guard let parsed = Int(limit), (1...100).contains(parsed) else {
            throw Problem.invalidParameter("limit", "must be an integer from 1 to 100")
        }
        return parsed
    }
}
