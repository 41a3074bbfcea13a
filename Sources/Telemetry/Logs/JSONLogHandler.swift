import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line: `ts`, `level`, `msg`, `logger`, then the metadata
/// (provider metadata such as `trace_id`/`span_id` first, then the logger's, then the call's).
public struct JSONLogHandler: LogHandler {
    /// The logger's label, written as `logger`.
    public let label: String
    /// Lines at or above this level are written.
    public var logLevel: Logger.Level
    /// Metadata on every line of this logger.
    public var metadata: Logger.Metadata
    /// Metadata computed per line, such as the active trace.
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: any LogSink

    /// Creates a handler.
    public init(
        label: String, sink: any LogSink, logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.sink = sink
        self.logLevel = logLevel
        self.metadata = [:]
        self.metadataProvider = metadataProvider
    }

    public func log(event: LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        JSONText.appendLiteral("{\"ts\":", to: &line)
        JSONText.appendString(Self.timestamp(Date()), to: &line)
        JSONText.appendLiteral(",\"level\":", to: &line)
        JSONText.appendString(event.level.rawValue, to: &line)
        JSONText.appendLiteral(",\"msg\":", to: &line)
        JSONText.appendString(event.message.description, to: &line)
        JSONText.appendLiteral(",\"logger\":", to: &line)
        JSONText.appendString(label, to: &line)

        for (key, value) in sortedMetadata(for: event) where !Self.reservedKeys.contains(key) {
            line.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &line)
            line.append(UInt8(ascii: ":"))
            JSONText.append(value, to: &line)
        }
        if event.level >= .error {
            JSONText.appendLiteral(",\"source\":", to: &line)
            JSONText.appendString("\(event.file):\(event.line)", to: &line)
        }
        line.append(UInt8(ascii: "}"))
        sink.write(utf8: consume line)
    }

    private static let reservedKeys: Set<String> = ["ts", "level", "msg", "logger"]

    /// The provider's, the logger's and the call's metadata (later ones win), in key order: what
    /// ``mergedMetadata(for:)`` and sorting its keys give, without building and hashing a merged dictionary.
    private func sortedMetadata(for event: LogEvent) -> [(key: String, value: Logger.MetadataValue)] {
        let provided = metadataProvider?.get() ?? [:]
        var entries: [(key: String, value: Logger.MetadataValue)] = []
        entries.reserveCapacity(provided.count + metadata.count + (event.metadata?.count ?? 0))
        entries.append(contentsOf: provided)
        entries.append(contentsOf: metadata)
        if let extra = event.metadata { entries.append(contentsOf: extra) }
        // Sorting is stable, so of entries with one key the last is the one that wins; the others are dropped in place.
        entries.sort { $0.key < $1.key }
        var kept = 0
        for index in entries.indices where index + 1 == entries.count || entries[index + 1].key != entries[index].key {
            entries[kept] = entries[index]
            kept += 1
        }
        entries.removeLast(entries.count - kept)
        return entries
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
