/// The version reported as `service.version`.
enum PaymentsVersion {
    static let current = "0.1.0"
}
