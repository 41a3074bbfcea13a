import Foundation

/// One setting read from the environment: its variable, what a valid value looks like, and how to read it.
///
/// Declared once, next to the code that uses it, and read through ``Environment``, so that every bad value gets the
/// same one-line message: the variable's name and ``expectation``, never the value itself.
public struct Setting<Value: Sendable>: Sendable, SettingDescription {
    /// The environment variable.
    public let variable: String
    /// What a valid value is, completing "must be …".
    public let expectation: String
    /// Whether the value is a credential (documented as such; never logged).
    public let isSecret: Bool
    private let read: @Sendable (String) -> Value?

    /// Declares a setting; `read` gets the value with surrounding whitespace removed and returns `nil` for a value
    /// it cannot use.
    public init(
        _ variable: String, expecting expectation: String, isSecret: Bool = false,
        read: @escaping @Sendable (String) -> Value?
    ) {
        self.variable = variable
        self.expectation = expectation
        self.isSecret = isSecret
        self.read = read
    }

    /// Reads a value given under `name` (the variable, or a flag that stands for it).
    public func parse(_ text: String, as name: String? = nil) throws(ConfigurationError) -> Value {
        guard let value = read(String(text.trimmingASCIIWhitespace())) else {
            throw ConfigurationError(setting: name ?? variable, reason: "must be \(expectation)")
        }
        return value
    }

    /// The same variable read another way.
    public func map<Other>(
        expecting expectation: String? = nil, _ transform: @escaping @Sendable (Value) -> Other?
    ) -> Setting<Other> {
        let read = self.read
        return Setting<Other>(variable, expecting: expectation ?? self.expectation, isSecret: isSecret) {
            read($0).flatMap(transform)
        }
    }
}

/// What the reference documentation needs to know of a setting, whatever its type.
public protocol SettingDescription: Sendable {
    /// The environment variable.
    var variable: String { get }
    /// What a valid value is.
    var expectation: String { get }
    /// Whether the value is a credential.
    var isSecret: Bool { get }
}

extension Setting where Value == String {
    /// Any text that is not blank.
    public static func text(_ variable: String, isSecret: Bool = false) -> Setting {
        Setting(variable, expecting: "a non-empty text", isSecret: isSecret) { $0.isEmpty ? nil : $0 }
    }

    /// An absolute URL with one of `schemes` and a host.
    public static func url(_ variable: String, schemes: [String] = ["http", "https"]) -> Setting {
        let allowed = schemes.map { "\($0)://" }
        return Setting(variable, expecting: "an absolute \(schemes.joined(separator: " or ")) URL") { text in
            let lowered = text.lowercased()
            guard let prefix = allowed.first(where: { lowered.hasPrefix($0) }) else { return nil }
            let rest = text.dropFirst(prefix.count)
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return host.isEmpty || host.contains(where: { $0 == " " }) ? nil : text
        }
    }
}

extension Setting where Value == Int {
    /// A whole number in `range`, optionally of a `unit` (`seconds`).
    public static func integer(_ variable: String, in range: ClosedRange<Int>, unit: String? = nil) -> Setting {
        let upper = range.upperBound == .max ? "" : " to \(range.upperBound)"
        let expectation = "a whole number \(upper.isEmpty ? "of at least" : "from") \(range.lowerBound)\(upper)"
        return Setting(variable, expecting: expectation + (unit.map { " (\($0))" } ?? "")) { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }
}

extension Setting where Value == Duration {
    /// Whole seconds in `range`.
    public static func seconds(_ variable: String, in range: ClosedRange<Int>) -> Setting {
        Setting<Int>.integer(variable, in: range, unit: "seconds").map { .seconds($0) }
    }

    /// Whole milliseconds in `range`.
    public static func milliseconds(_ variable: String, in range: ClosedRange<Int>) -> Setting {
        Setting<Int>.integer(variable, in: range, unit: "milliseconds").map { .milliseconds($0) }
    }
}

extension Setting where Value == Double {
    /// A probability: a decimal number from 0 to 1.
    public static func fraction(_ variable: String) -> Setting {
        Setting(variable, expecting: "a number from 0 to 1") { text in
            Double(text).flatMap { (0.0...1.0).contains($0) ? $0 : nil }
        }
    }
}

extension Setting where Value == Bool {
    /// `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`, in any case.
    public static func flag(_ variable: String) -> Setting {
        Setting(variable, expecting: "true or false") { text in
            switch text.lowercased() {
            case "true", "1", "yes", "on": true
            case "false", "0", "no", "off": false
            default: nil
            }
        }
    }
}

extension Setting {
    /// One of a fixed set of words (compared without regard to case), each standing for a value.
    public static func choice(_ variable: String, _ options: [(String, Value)]) -> Setting {
        let names = options.map(\.0)
        let expectation =
            names.count <= 1
            ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
        let table = Dictionary(options.map { ($0.0.lowercased(), $0.1) }, uniquingKeysWith: { first, _ in first })
        return Setting(variable, expecting: expectation) { table[$0.lowercased()] }
    }
}

extension Setting where Value == String {
    /// The path of a file this process can read.
    public static func readableFile(_ variable: String) -> Setting {
        Setting(variable, expecting: "the path of a readable file") { path in
            var isDirectory: ObjCBool = false
            guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: path)
            else { return nil }
            return path
        }
    }
}
