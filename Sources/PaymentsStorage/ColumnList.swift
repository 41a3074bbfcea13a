import Foundation

/// Comma-separated SQL column lists, as both stores write them.
enum ColumnList {
    /// `columns` with each column qualified by a table alias, for joins.
    static func qualified(_ columns: String, as alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }
            .joined(separator: ", ")
    }
}
