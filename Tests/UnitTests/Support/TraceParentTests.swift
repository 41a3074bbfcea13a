import PaymentsSupport
import Testing

@Suite("W3C traceparent")
struct TraceParentTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test("A valid header is read and written back the same")
    func roundTrip() throws {
        let parsed = try #require(TraceParent(Self.valid))
        #expect(parsed.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parsed.parentID == "00f067aa0ba902b7")
        #expect(parsed.flags == 1)
        #expect(parsed.description == Self.valid)
        #expect(TraceParent(" \t\(Self.valid) ") == parsed)
    }

    @Test(
        "Headers the specification says to ignore are refused",
        arguments: [
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 with more fields
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01extra",  // later version, no dash
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
            "garbage",
        ]
    )
    func refused(_ header: String) {
        #expect(TraceParent(header) == nil)
    }

    @Test("A later version is read by its first four fields and written as version 00 without unknown flags")
    func laterVersion() {
        let parsed = TraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff-what-comes-next")
        #expect(parsed?.description == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03")
    }

    @Test("Random contexts are sampled, valid and different")
    func random() {
        let contexts = (0..<200).map { _ in TraceParent.random() }
        #expect(Set(contexts.map(\.traceID)).count == 200)
        for context in contexts {
            #expect(TraceParent(context.description) == context)
            #expect(context.flags == 1)
        }
    }
}
