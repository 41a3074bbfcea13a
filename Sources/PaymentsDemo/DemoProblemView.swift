/// The parts of an RFC 9457 problem that a demo run checks: the field errors' JSON Pointers, and the details it shows.
struct DemoProblemView: Decodable, Sendable {
    struct FieldError: Decodable, Sendable {
        let pointer: String?
        let detail: String?
    }

    let status: Int?
    let detail: String?
    let errors: [FieldError]?

    /// Whether a field error names `pointer`.
    func names(_ pointer: String) -> Bool {
        errors?.contains { $0.pointer == pointer } ?? false
    }
}
