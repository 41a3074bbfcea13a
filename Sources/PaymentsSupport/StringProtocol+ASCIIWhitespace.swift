extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, carriage returns and line feeds: the whitespace of HTTP
    /// headers, form fields and environment variables. Unicode spaces are kept: they are not separators there.
    public func trimmingASCIIWhitespace() -> SubSequence {
        func isSpace(_ character: Character) -> Bool {
            character == " " || character == "\t" || character == "\r" || character == "\n" || character == "\r\n"
        }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
