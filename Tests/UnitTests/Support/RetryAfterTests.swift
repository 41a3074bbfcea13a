import Foundation
import PaymentsSupport
import Testing

@Suite("Retry-After")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT

    @Test("delay-seconds, and each of the three HTTP-date forms RFC 9110 asks a recipient to accept")
    func forms() {
        #expect(RetryAfter.delay(from: "120", now: now) == .seconds(120))
        #expect(RetryAfter.delay(from: " 0 ", now: now) == .zero)
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay(from: "Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.delay(from: "Sun Nov  6 08:49:37 1994", now: now) == .seconds(10))
    }

    @Test("A date in the past asks for no wait; anything else is not a Retry-After")
    func edges() {
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.delay(from: "-3", now: now) == nil)
        #expect(RetryAfter.delay(from: "soon", now: now) == nil)
        #expect(RetryAfter.delay(from: "1.5", now: now) == nil)
    }

    @Test("A fraction of a millisecond rounds up: never sooner than asked")
    func roundsUp() {
        let justBefore = now.addingTimeInterval(-0.0004)
        #expect(RetryAfter.delay(from: "Sun, 06 Nov 1994 08:49:27 GMT", now: justBefore) == .milliseconds(1))
    }
}
