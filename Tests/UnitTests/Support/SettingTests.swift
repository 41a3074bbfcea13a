import PaymentsSupport
import Testing

@Suite("Settings read from the environment")
struct SettingTests {
    static let port = Setting<Int>.integer("TEST_PORT", in: 0...65535)
    static let secret = Setting<String>.text("TEST_SECRET", isSecret: true)

    @Test("Unset and blank are absent; surrounding whitespace is ignored")
    func absence() throws {
        #expect(try Environment([:]).value(Self.port) == nil)
        #expect(try Environment(["TEST_PORT": "  "]).value(Self.port) == nil)
        #expect(try Environment(["TEST_PORT": " 8080\n"]).value(Self.port) == 8080)
        #expect(try Environment([:]).value(Self.port, default: 1) == 1)
        #expect(Environment(["TEST_PORT": "x"]).isSet(Self.port))
    }

    @Test("A bad value is one line naming the variable and what it must be, never the value")
    func badValue() {
        let error = #expect(throws: ConfigurationError.self) {
            try Environment(["TEST_PORT": "sk_live_65536"]).value(Self.port)
        }
        #expect(error?.setting == "TEST_PORT")
        #expect(error?.description == "TEST_PORT: must be a whole number from 0 to 65535")
        #expect(error?.description.contains("sk_live") == false)
    }

    @Test("A flag standing for the variable is named instead")
    func flag() {
        let error = #expect(throws: ConfigurationError.self) { try Self.port.parse("70000", as: "--port") }
        #expect(error?.setting == "--port")
    }

    @Test("Each kind of setting reads what it documents")
    func kinds() throws {
        let environment: Environment = [
            "RATE": "0.25", "FLAG": "Yes", "WAIT": "30", "CHOICE": "GZIP", "URL": "https://collector:4318",
        ]
        #expect(try environment.value(.fraction("RATE")) == 0.25)
        #expect(try environment.value(.flag("FLAG")) == true)
        #expect(try environment.value(.seconds("WAIT", in: 1...60)) == .seconds(30))
        #expect(try environment.value(.milliseconds("WAIT", in: 1...60)) == .milliseconds(30))
        #expect(try environment.value(Setting<Int>.choice("CHOICE", [("gzip", 1), ("none", 0)])) == 1)
        #expect(try environment.value(.url("URL")) == "https://collector:4318")
        for (setting, text) in [
            (Setting<Double>.fraction("X"), "1.5"), (.fraction("X"), "nan"),
        ] {
            #expect(throws: ConfigurationError.self) { try setting.parse(text) }
        }
        #expect(throws: ConfigurationError.self) { try Setting<String>.url("X").parse("collector:4318") }
        #expect(throws: ConfigurationError.self) { try Setting<String>.url("X").parse("http:///path") }
        #expect(throws: ConfigurationError.self) { try Setting<Bool>.flag("X").parse("maybe") }
        #expect(throws: ConfigurationError.self) { try Setting<String>.readableFile("X").parse("/no/such/file") }
    }
}
