import Logging
import PaymentsSupport

/// JSON writing for log lines, as UTF-8 bytes (a line is built for every request; bytes are cheaper to append than a
/// `String`): strings through ``PaymentsSupport/JSONString``, metadata as nested JSON.
enum JSONText {
    static func appendLiteral(_ literal: StaticString, to output: inout [UInt8]) {
        literal.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    static func appendString(_ text: String, to output: inout [UInt8]) {
        JSONString.write(text) { output.append(contentsOf: $0) }
    }

    static func append(_ value: Logger.Metadata.Value, to output: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(text, to: &output)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                append(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            output.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                appendString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                append(dictionary[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}
