/// One versioned schema change. Versions only grow; an applied migration is never edited.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
}
