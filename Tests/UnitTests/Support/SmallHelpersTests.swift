import Foundation
import PaymentsSupport
import Testing

@Suite("Percent-encoding, constant-time comparison, durations, one-shot values")
struct SmallHelpersTests {
    @Test("Percent-decoding: strict refuses a broken escape, lenient keeps it, forms read + as a space")
    func percentDecoding() {
        #expect(PercentEncoding.decode("a%20b%2Cc") == "a b,c")
        #expect(PercentEncoding.decode("100%") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("100%", strictness: .lenient) == "100%")
        #expect(PercentEncoding.decode("a+b%2B", plusIsSpace: true) == "a b+")
        #expect(PercentEncoding.decode("a+b") == "a+b")
        #expect(PercentEncoding.decode("%C3%A9") == "é")
        #expect(PercentEncoding.decode("%C3") == nil)
        #expect(
            PercentEncoding.encode("a b,é") { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: ",") && $0 < 0x80 }
                == "a%20b%2C%C3%A9")
    }

    @Test("Constant-time equality compares whole values, lengths included")
    func constantTime() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test("Duration conversions round towards zero and saturate")
    func durations() {
        let duration = Duration.seconds(2) + .nanoseconds(1_999_999)
        #expect(duration.wholeMilliseconds == 2_001)
        #expect(duration.wholeMicroseconds == 2_001_999)
        #expect(duration.wholeNanoseconds == 2_001_999_999)
        #expect(duration.timeInterval == 2.001999999)
        #expect(Duration.seconds(Int64.max).wholeNanoseconds == .max)
        #expect(Duration.timeInterval(1.5) == .milliseconds(1500))
        #expect("  x\t\r\n".trimmingASCIIWhitespace() == "x")
        #expect("\u{00A0}x".trimmingASCIIWhitespace() == "\u{00A0}x")
    }

    @Test("A one-shot value wakes every reader once set, and keeps its first value")
    func oneShotValue() async {
        let value = OneShotValue<Int>()
        async let first = value.value
        async let second = value.value
        value.set(7)
        value.set(8)
        #expect(await first == 7)
        #expect(await second == 7)
        #expect(await value.value == 7)
    }
}
