import Foundation
import Logging
import Telemetry
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("A line is one JSON object with ts, level, msg, logger and the merged metadata")
    func lineShape() throws {
        let sink = InMemoryLogSink()
        var logger = Logger(label: "payments") { JSONLogHandler(label: $0, sink: sink, logLevel: .info) }
        logger[metadataKey: "payment_id"] = "p-1"
        logger.info("Payment \"initiated\"\n", metadata: ["client_ref": "INV-1", "nested": ["a": ["1", "2"]]])
        logger.debug("not written")
        #expect(sink.lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["msg"] as? String == "Payment \"initiated\"\n")
        #expect(object["logger"] as? String == "payments")
        #expect(object["payment_id"] as? String == "p-1")
        #expect(object["client_ref"] as? String == "INV-1")
        #expect((object["nested"] as? [String: Any])?["a"] as? [String] == ["1", "2"])
        let ts = try #require(object["ts"] as? String)
        #expect(ts.hasSuffix("Z") && ts.count == 24)
    }

    @Test("Control characters are escaped and the reserved keys cannot be overwritten by metadata")
    func escapingAndReservedKeys() throws {
        let sink = InMemoryLogSink()
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: sink) }
        logger.warning("bell\u{07}", metadata: ["msg": "spoofed", "level": "debug"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "bell\u{07}")
        #expect(object["level"] as? String == "warning")
        #expect(sink.lines[0].contains("\\u0007"))
    }

    @Test(
        "Quotes, backslashes, every control character and non-ASCII text survive the round trip",
        arguments: [
            #"say "hi" \ bye"#, "tab\tline\nreturn\r", String((0..<0x20).map { Character(Unicode.Scalar($0)) }),
            "Zürich café – 支払い 💸", "",
        ])
    func roundTrip(text: String) throws {
        let sink = InMemoryLogSink()
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: sink) }
        logger.info("\(text)", metadata: ["note": "\(text)", "nested": ["list": [.string(text)]]])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as? [String: Any])
        #expect(object["msg"] as? String == text)
        #expect(object["note"] as? String == text)
        #expect(((object["nested"] as? [String: Any])?["list"] as? [String])?.first == text)
        // Only the escapes RFC 8259 requires: no raw control character is left in the line.
        #expect(!sink.lines[0].unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test(
        "Keys are written once each, in order; the call's metadata wins over the logger's, which wins over the provider's"
    )
    func metadataPrecedenceAndOrder() throws {
        let sink = InMemoryLogSink()
        let provider = Logger.MetadataProvider { ["trace_id": "provided", "span_id": "provided", "zone": "provided"] }
        var logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: sink, metadataProvider: provider) }
        logger[metadataKey: "span_id"] = "logger"
        logger[metadataKey: "client_ref"] = "logger"
        logger.info("hello", metadata: ["client_ref": "call", "amount": "1250"])
        let line = sink.lines[0]
        let tail = try #require(line.range(of: #""logger":"t","#)).upperBound
        #expect(
            line[tail...]
                == #""amount":"1250","client_ref":"call","span_id":"logger","trace_id":"provided","zone":"provided"}"#
        )
    }

    @Test("A metadata provider's values (such as trace ids) appear on every line")
    func metadataProvider() throws {
        let sink = InMemoryLogSink()
        let provider = Logger.MetadataProvider { ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"] }
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: sink, metadataProvider: provider) }
        logger.info("hello")
        #expect(sink.lines[0].contains(#""trace_id":"4bf92f3577b34da6a3ce929d0e0e4736""#))
    }
}
