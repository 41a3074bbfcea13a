import BankSandbox
import Foundation
import PaymentsApp
import PaymentsDemo
import PaymentsSupport
import Telemetry
import Testing

/// The operator reference in `docs/` against the code: every setting the code reads and every metric it registers
/// is documented, and nothing documented is gone from the code.
@Suite("Reference documentation matches the code")
struct ReferenceDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first cells of every table whose header's first cell is `header`, without their backticks.
    static func firstColumn(of document: String, header: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
        var names: [String] = []
        var inTable = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                inTable = false
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingASCIIWhitespace()
            }
            guard cells.count > 2 else { continue }
            let first = cells[1]
            if !inTable {
                inTable = first == header
                continue
            }
            guard !first.hasPrefix("---") else { continue }
            names.append(first.trimmingCharacters(in: CharacterSet(charactersIn: "`")))
        }
        return names
    }

    @Test("docs/configuration.md lists exactly the settings the commands read")
    func settings() throws {
        let documented = try Self.firstColumn(of: "docs/configuration.md", header: "variable")
        let declared = (ServeSettings.all + SandboxSettings.all + TelemetrySettings.all + DemoSettings.all).map(
            \.variable)
        #expect(Set(documented).subtracting(declared).sorted() == [], "documented but not read")
        #expect(Set(declared).subtracting(documented).sorted() == [], "read but not documented")
    }

    @Test("Every secret setting is marked as one in docs/configuration.md")
    func secrets() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let secretsSection =
            text.components(separatedBy: "## Secrets").dropFirst().first?
            .components(separatedBy: "\n## ").first ?? ""
        let secrets = (ServeSettings.all + SandboxSettings.all + TelemetrySettings.all + DemoSettings.all)
            .filter(\.isSecret).map(\.variable)
        for variable in Set(secrets).sorted() {
            #expect(secretsSection.contains("`\(variable)`"), "\(variable) is not listed under Secrets")
        }
    }

    @Test("docs/metrics.md lists exactly the metrics the service describes")
    func metrics() throws {
        let documented = try Self.firstColumn(of: "docs/metrics.md", header: "name")
        #expect(documented.sorted() == MetricDescriptions.all.keys.sorted())
    }
}

@Suite("The repository owns its references")
struct RepositoryReferencesTests {
    /// The files git tracks, or would track (untracked but not ignored).
    static func repositoryFiles() throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "git", "-C", ReferenceDocsTests.root.path, "ls-files", "--cached", "--others", "--exclude-standard",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("No file points at a document outside the repository")
    func noOutsideReferences() throws {
        // Spelled in pieces so that this file does not match itself.
        let outside = ["CONTRACTS" + ".md", "../" + "shared", "HOUSE" + "_STYLE", "seed" + "-design"]
        for path in try Self.repositoryFiles() {
            let url = ReferenceDocsTests.root.appendingPathComponent(path)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for name in outside where text.contains(name) {
                Issue.record("\(path) refers to \(name)")
            }
        }
    }

    @Test("The code reads the environment only through declared settings")
    func environmentOnlyThroughSettings() throws {
        let direct = ["ProcessInfo.processInfo.environment", "environment[\"", "env[\"", "getenv("]
        for path in try Self.repositoryFiles() where path.hasPrefix("Sources/") && path.hasSuffix(".swift") {
            guard path != "Sources/PaymentsSupport/Environment.swift" else { continue }
            let text = try String(contentsOf: ReferenceDocsTests.root.appendingPathComponent(path), encoding: .utf8)
            for pattern in direct where text.contains(pattern) {
                Issue.record("\(path) reads the environment directly (\(pattern))")
            }
        }
    }
}
