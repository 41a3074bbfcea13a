import Foundation
import Synchronization

/// Where finished log lines go. A line is one complete JSON object without the trailing newline.
public protocol LogSink: Sendable {
    /// Writes one line.
    func write(_ line: String)
    /// Writes one line given as UTF-8 bytes (what ``JSONLogHandler`` builds); by default as a `String`.
    func write(utf8 line: consuming [UInt8])
}

extension LogSink {
    public func write(utf8 line: consuming [UInt8]) {
        write(String(decoding: line, as: UTF8.self))
    }
}

/// Writes lines to standard output (or standard error), one `write` per line so lines from many threads never
/// interleave.
public struct StandardOutputLogSink: LogSink {
    private let fileDescriptor: Int32

    /// Creates the sink; `standardError` sends the lines there instead, for commands whose output is on stdout.
    public init(standardError: Bool = false) {
        self.fileDescriptor = standardError ? 2 : 1
    }

    public func write(_ line: String) {
        write(utf8: Array(line.utf8))
    }

    public func write(utf8 line: consuming [UInt8]) {
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Keeps lines in memory, for tests that read what was logged.
public final class InMemoryLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    /// Creates an empty sink.
    public init() {}

    public func write(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    /// Every line written so far.
    public var lines: [String] {
        storage.withLock { $0 }
    }
}
