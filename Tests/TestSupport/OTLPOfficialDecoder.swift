import Foundation

/// Decodes OTLP request bodies with the official definitions (the `opentelemetry-proto` package from PyPI) by
/// running a small python3 script, so that the tests check our hand-written encoding against the real schema and
/// not against our own reading of it.
public enum OTLPOfficialDecoder {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What the official decoder made of a body (unchecked Sendable: the JSON is immutable once decoded).
    public struct Decoded: @unchecked Sendable {
        /// `MessageToJson` output (lowerCamel names, 64-bit integers as strings, enums by name), with every
        /// `traceId`/`spanId`/`parentSpanId` turned from base64 into lowercase hex.
        public var message: [String: Any]
        /// Fields the official schema does not know, counted in every nested message: a wrong field number or
        /// wire type shows up here instead of silently disappearing.
        public var unknownFieldCount: Int
        /// Whether the official library re-encodes the message to exactly our bytes.
        public var canonical: Bool
    }

    private static let script = #"""
        import base64, gzip, json, sys
        from google.protobuf import json_format, unknown_fields

        signal, path, compressed = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
        data = open(path, "rb").read()
        if compressed:
            data = gzip.decompress(data)
        if signal == "traces":
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest as Request
        elif signal == "metrics":
            from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest as Request
        else:
            from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest as Request
        message = Request()
        message.ParseFromString(data)

        def unknown(msg):
            count = len(unknown_fields.UnknownFieldSet(msg))
            for field, value in msg.ListFields():
                if field.message_type is None:
                    continue
                for element in (value if field.is_repeated else [value]):
                    count += unknown(element)
            return count

        def hexify(value):
            if isinstance(value, dict):
                return {key: (base64.b64decode(item).hex() if key in ("traceId", "spanId", "parentSpanId") else hexify(item))
                        for key, item in value.items()}
            if isinstance(value, list):
                return [hexify(item) for item in value]
            return value

        print(json.dumps({
            "message": hexify(json.loads(json_format.MessageToJson(message))),
            "unknownFieldCount": unknown(message),
            "canonical": message.SerializeToString(deterministic=True) == data,
        }))
        """#

    /// The pinned Python packages the tests use (the test command installs them).
    private static let requirements = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/requirements.txt").path

    /// `nil` when the official package is importable (installing the pinned one if missing), else why not.
    private static let setupProblem: String? = {
        let probe = ["-c", "import opentelemetry.proto.collector.trace.v1.trace_service_pb2"]
        if (try? python(probe))?.status == 0 { return nil }
        let install = try? python(["-m", "pip", "install", "--quiet", "-r", requirements])
        if (try? python(probe))?.status == 0 { return nil }
        return """
            The official OTLP definitions are needed to check the encoding: `python3 -m pip install -r \
            scripts/requirements.txt` failed (\(install?.errorOutput.suffix(400) ?? "python3 could not be run")). \
            Install python3 and those packages, then run the tests again.
            """
    }()

    /// Decodes `body` as the signal's `Export*ServiceRequest`.
    public static func decode(_ body: [UInt8], signal: String, gzipped: Bool = false) throws -> Decoded {
        if let setupProblem { throw Failure(description: setupProblem) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("decode.py")
        let bodyURL = directory.appendingPathComponent("body.bin")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        try Data(body).write(to: bodyURL)
        let result = try python([scriptURL.path, signal, bodyURL.path, gzipped ? "1" : "0"])
        guard result.status == 0 else {
            throw Failure(description: "The official decoder rejected the body: \(result.errorOutput)")
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any],
            let message = object["message"] as? [String: Any],
            let unknown = object["unknownFieldCount"] as? Int,
            let canonical = object["canonical"] as? Bool
        else { throw Failure(description: "Unexpected decoder output: \(result.output)") }
        return Decoded(message: message, unknownFieldCount: unknown, canonical: canonical)
    }

    /// Runs python3 with output captured in files (pipes could fill up and block it).
    private static func python(_ arguments: [String]) throws -> (status: Int32, output: String, errorOutput: String) {
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("otlp-py-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("otlp-py-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let errorOutput = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, errorOutput)
    }
}

/// Helpers to read `MessageToJson` output.
public enum OTLPJSON {
    /// `[{"key": k, "value": {...}}]` as `[k: value]`, with each AnyValue unwrapped to a Swift value
    /// (`intValue` stays a string, as JSON carries int64).
    public static func attributes(_ list: Any?) -> [String: Any] {
        var result: [String: Any] = [:]
        for case let entry as [String: Any] in (list as? [Any]) ?? [] {
            guard let key = entry["key"] as? String else { continue }
            result[key] = anyValue(entry["value"])
        }
        return result
    }

    /// Unwraps one AnyValue.
    public static func anyValue(_ value: Any?) -> Any? {
        guard let value = value as? [String: Any], let first = value.first else { return nil }
        let (kind, inner) = (first.key, first.value)
        if kind == "arrayValue" {
            return ((inner as? [String: Any])?["values"] as? [Any] ?? []).map { anyValue($0) ?? NSNull() }
        }
        return inner
    }

    /// `object[key]` as an array of objects.
    public static func objects(_ object: Any?, _ key: String) -> [[String: Any]] {
        ((object as? [String: Any])?[key] as? [Any])?.compactMap { $0 as? [String: Any] } ?? []
    }
}
