import Telemetry
import Testing

@Suite struct TraceContextHeaderTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func parsesAValidTraceparent() throws {
        let context = try #require(SpanContext(traceParent: Self.valid))
        #expect(context.traceID.hexString == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanID.hexString == "00f067aa0ba902b7")
        #expect(context.isSampled)
        #expect(context.isRemote)
        #expect(context.traceParentHeader == Self.valid)
    }

    @Test func readsTheNotSampledFlag() throws {
        let context = try #require(SpanContext(traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!context.isSampled)
        #expect(context.traceParentHeader.hasSuffix("-00"))
    }

    @Test(arguments: [
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  // upper-case hex
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // short trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",  // short parent id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",  // short flags
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // not hex
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 has exactly four fields
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // wrong separators
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // short version
        "",
    ])
    func rejectsAnInvalidTraceparent(_ header: String) {
        #expect(SpanContext(traceParent: header) == nil)
    }

    @Test func readsAFutureVersionByItsFirstFourFields() throws {
        let context = try #require(
            SpanContext(traceParent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"))
        #expect(context.traceID.hexString == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.traceParentHeader == Self.valid)  // we always answer in version 00
        #expect(SpanContext(traceParent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.x") == nil)
    }

    @Test func keepsTracestateWithTheContextAndDropsOnlyAnInvalidOne() throws {
        let context = try #require(
            SpanContext(traceParent: Self.valid, traceState: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"))
        #expect(context.traceState["congo"] == "t61rcWkgMzE")
        let withBadState = try #require(SpanContext(traceParent: Self.valid, traceState: "Rojo=1"))
        #expect(withBadState.traceState.isEmpty)
    }

    @Test func parsesAndFormatsTracestate() throws {
        let state = try #require(TraceState(header: "rojo=00f067aa0ba902b7 ,\tcongo=t61rcWkgMzE,, "))
        #expect(state.entries.map(\.key) == ["rojo", "congo"])
        #expect(state.headerValue == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        #expect(TraceState(header: "fw529a3039@dt=ZmY,thirdparty@a=x y")?.entries.count == 2)
    }

    @Test(arguments: [
        "rojo=1,rojo=2",  // duplicate key
        "Rojo=1",  // upper-case key
        "1rojo=1",  // simple key must start with a letter
        "rojo",  // no value
        "rojo=a,b",  // a member without '='
        "rojo=a=b",  // '=' inside a value
        "rojo=tab\tinside",  // a tab is not a value character
        "rojo=del\u{7f}",  // nor is DEL
        "@system=1",  // empty tenant
        "tenant@=1",  // empty system
        "tenant@system-id-too-long=1",  // system id longer than 14
    ])
    func rejectsAnInvalidTracestate(_ header: String) {
        #expect(TraceState(header: header) == nil)
    }

    @Test func limitsTracestateTo32Entries() {
        let thirtyTwo = (0..<32).map { "k\($0)=v" }.joined(separator: ",")
        #expect(TraceState(header: thirtyTwo)?.entries.count == 32)
        #expect(TraceState(header: thirtyTwo + ",k32=v") == nil)
        var state = TraceState(header: thirtyTwo)!
        let accepted = state.setValue("new", forKey: "ours")
        #expect(accepted)
        #expect(state.entries.count == 32)
        #expect(state.entries.first?.key == "ours")
        #expect(state["k31"] == nil)  // the oldest entry made room
    }

    @Test func idsFormatAsLowerCaseHexAndAreNeverZero() {
        #expect(TraceID(high: 0, low: 255).hexString == "000000000000000000000000000000ff")
        #expect(SpanID(rawValue: 0xAB).hexString == "00000000000000ab")
        #expect(TraceID(hexString: "00000000000000000000000000000000") == nil)
        #expect(SpanID(hexString: "0000000000000000") == nil)
        #expect(TraceID.random().isValid)
        #expect(SpanID.random().isValid)
        #expect(TraceID(high: 1, low: 2).bytes == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2])
    }
}
