import Foundation
import PaymentsCore
import Testing

@Suite("Webhook target policy (SSRF)")
struct WebhookTargetPolicyTests {
    let strict = WebhookTargetPolicy(allowPrivate: false)
    let development = WebhookTargetPolicy(allowPrivate: true)

    static let https = "must be an https URL"
    static let notPublic = "points to a private, loopback, link-local or reserved address"
    static let hostForm = "must be a hostname or a dotted IPv4 / IPv6 address"
    static let controls = "must not contain spaces or control characters"
    static let notAbsolute = "must be an absolute URL with a host"
    static let port = "must have a port between 1 and 65535"

    static let refused: [(String, String)] = [
        ("http://169.254.169.254/latest/meta-data", https),
        ("https://169.254.169.254/latest/meta-data", notPublic),
        ("http://10.0.0.1/hook", https),
        ("https://10.0.0.1/hook", notPublic),
        ("https://192.168.1.1/", notPublic),
        ("https://[::1]/", notPublic),
        ("https://[fd00:ec2::254]/", notPublic),
        ("https://[::ffff:127.0.0.1]/", notPublic),
        ("https://[::ffff:169.254.169.254]/", notPublic),
        ("https://[64:ff9b::7f00:1]/", notPublic),
        ("https://[2002:7f00:1::]/", notPublic),
        ("https://[FE80::1]/", notPublic),
        ("https://127.1/", hostForm),
        ("https://2130706433/", hostForm),
        ("https://0x7f000001/", hostForm),
        ("https://0x7f.1/", hostForm),
        ("https://017700000001/", hostForm),
        ("https://0177.0.0.1/", hostForm),
        ("https://127.0.0.1./", hostForm),
        ("https://%31%32%37.0.0.1/", hostForm),
        ("https://[fe80::1%25eth0]/", hostForm),
        ("https://[127.0.0.1]/", hostForm),
        ("https://a..example.com/", hostForm),
        ("https://localhost/x", notPublic),
        ("https://LOCALHOST/x", notPublic),
        ("https://localhost./x", notPublic),
        ("https://admin.localhost/", notPublic),
        ("https://user:pw@example.com/", "must not contain credentials"),
        ("https://@example.com/", "must not contain credentials"),
        ("https://example.com/#frag", "must not have a fragment"),
        ("https://example.com/#", "must not have a fragment"),
        ("https://example.com/a b", controls),
        ("https://example.com/\u{0}", controls),
        ("https://example.com/\u{202E}gpj.exe", controls),
        ("https://example.com/\t", controls),
        ("https://exämple.com/", controls),
        ("https://example.com/" + String(repeating: "a", count: 2980), "is longer than 2048 bytes"),
        ("ftp://example.com/", https),
        ("//example.com/", https),
        ("https:///path", notAbsolute),
        ("https:example.com", notAbsolute),
        ("https://[::1", notAbsolute),
        ("https://example.com:0/", port),
        ("https://example.com:99999/", port),
    ]

    @Test("Refused URLs, each with its reason, which never repeats the URL", arguments: refused)
    func refusedURL(url: String, reason: String) {
        #expect(strict.check(url: url) == .failure(TargetProblem(reason: reason)))
        if case .failure(let problem) = strict.check(url: url) {
            #expect(problem.description == problem.reason)
        }
    }

    static let accepted: [(String, WebhookTargetPolicy.Target)] = [
        ("https://93.184.216.34/hook", .init(scheme: "https", host: "93.184.216.34", port: 443)),
        ("https://[2606:4700::1111]/", .init(scheme: "https", host: "2606:4700::1111", port: 443)),
        ("https://example.com:8443/a?b=c", .init(scheme: "https", host: "example.com", port: 8443)),
        ("HTTPS://Hooks.Example.COM/x", .init(scheme: "https", host: "hooks.example.com", port: 443)),
        ("https://example.com./", .init(scheme: "https", host: "example.com.", port: 443)),
        // Names made of hex letters are names, not numbers.
        ("https://cafe.de/", .init(scheme: "https", host: "cafe.de", port: 443)),
        ("https://1.2.3.example/", .init(scheme: "https", host: "1.2.3.example", port: 443)),
        ("https://my_hooks.example.com/", .init(scheme: "https", host: "my_hooks.example.com", port: 443)),
        // 6to4 of a public address reaches that address.
        ("https://[2002:5db8:d822::1]/", .init(scheme: "https", host: "2002:5db8:d822::1", port: 443)),
        ("https://[::ffff:8.8.8.8]/", .init(scheme: "https", host: "::ffff:8.8.8.8", port: 443)),
        (
            "https://example.com/" + String(repeating: "a", count: 2028),
            .init(scheme: "https", host: "example.com", port: 443)
        ),
    ]

    @Test("Accepted URLs and the target each one names", arguments: accepted)
    func acceptedURL(url: String, target: WebhookTargetPolicy.Target) {
        #expect(strict.check(url: url) == .success(target))
    }

    @Test("The development setting allows http and private addresses, and nothing else")
    func developmentSetting() {
        #expect(
            development.check(url: "http://127.0.0.1:8080/hook")
                == .success(.init(scheme: "http", host: "127.0.0.1", port: 8080)))
        #expect(
            development.check(url: "http://localhost:3000/")
                == .success(.init(scheme: "http", host: "localhost", port: 3000)))
        #expect(development.check(url: "https://[::1]/") == .success(.init(scheme: "https", host: "::1", port: 443)))
        #expect(
            development.check(url: "http://example.com/")
                == .success(.init(scheme: "http", host: "example.com", port: 80)))
        #expect(
            development.check(url: "ftp://example.com/")
                == .failure(TargetProblem(reason: "must be an http or https URL")))
        #expect(development.check(url: "http://127.1/") == .failure(TargetProblem(reason: Self.hostForm)))
        #expect(
            development.check(url: "http://user:pw@127.0.0.1/")
                == .failure(TargetProblem(reason: "must not contain credentials")))
    }

    @Test("An IP literal is judged without DNS")
    func resolveLiteral() async {
        let loopback = WebhookTargetPolicy.Target(scheme: "https", host: "127.0.0.1", port: 443)
        #expect(await strict.resolve(loopback) == .failure(TargetProblem(reason: Self.notPublic)))
        #expect(await development.resolve(loopback) == .success(["127.0.0.1"]))
        let publicAddress = WebhookTargetPolicy.Target(scheme: "https", host: "93.184.216.34", port: 443)
        #expect(await strict.resolve(publicAddress) == .success(["93.184.216.34"]))
        let metadata = WebhookTargetPolicy.Target(scheme: "https", host: "[fd00:ec2::254]", port: 443)
        #expect(await strict.resolve(metadata) == .failure(TargetProblem(reason: Self.notPublic)))
        let ipv6 = WebhookTargetPolicy.Target(scheme: "https", host: "::1", port: 443)
        #expect(await development.resolve(ipv6) == .success(["::1"]))
    }

    @Test("A target made by hand gets the same host rules as a checked URL")
    func resolveChecksHostForm() async {
        let integer = WebhookTargetPolicy.Target(scheme: "https", host: "2130706433", port: 443)
        #expect(await development.resolve(integer) == .failure(TargetProblem(reason: Self.hostForm)))
        let localhost = WebhookTargetPolicy.Target(scheme: "https", host: "localhost", port: 443)
        #expect(await strict.resolve(localhost) == .failure(TargetProblem(reason: Self.notPublic)))
    }

    @Test("localhost resolves to loopback under the development setting")
    func resolveLocalhost() async throws {
        let target = try development.check(url: "https://localhost/").get()
        let addresses = try await development.resolve(target).get()
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0 == "127.0.0.1" || $0 == "::1" })
    }

    @Test("A name that does not resolve is refused", arguments: [false, true])
    func resolveNothing(allowPrivate: Bool) async throws {
        let policy = WebhookTargetPolicy(allowPrivate: allowPrivate)
        let target = try policy.check(url: "https://nothing.invalid/").get()
        #expect(await policy.resolve(target) == .failure(TargetProblem(reason: "does not resolve to an address")))
    }

    static let addresses: [(String, Bool)] = [
        // IPv4, each range with its first or last address and, for most, a neighbour outside it.
        ("0.0.0.0", false), ("0.255.255.255", false), ("1.0.0.0", true),
        ("10.0.0.0", false), ("10.255.255.255", false), ("9.255.255.255", true), ("11.0.0.0", true),
        ("100.64.0.0", false), ("100.127.255.255", false), ("100.63.255.255", true), ("100.128.0.0", true),
        ("127.0.0.1", false), ("127.255.255.255", false), ("126.255.255.255", true), ("128.0.0.0", true),
        ("169.254.169.254", false), ("169.254.0.0", false), ("169.253.255.255", true), ("169.255.0.0", true),
        ("172.16.0.0", false), ("172.31.255.255", false), ("172.15.255.255", true), ("172.32.0.0", true),
        ("192.0.0.0", false), ("192.0.0.255", false), ("192.0.1.0", true),
        ("192.0.2.1", false), ("192.0.3.0", true),
        ("192.88.99.1", false), ("192.88.98.255", true), ("192.88.100.0", true),
        ("192.168.0.1", false), ("192.168.255.255", false), ("192.167.255.255", true), ("192.169.0.0", true),
        ("198.18.0.0", false), ("198.19.255.255", false), ("198.17.255.255", true), ("198.20.0.0", true),
        ("198.51.100.1", false), ("198.51.101.0", true),
        ("203.0.113.1", false), ("203.0.112.255", true), ("203.0.114.0", true),
        ("224.0.0.1", false), ("239.255.255.255", false), ("223.255.255.255", true),
        ("240.0.0.1", false), ("255.255.255.255", false),
        ("8.8.8.8", true), ("93.184.216.34", true),
        // IPv6.
        ("::", false), ("::1", false), ("::2", false),
        ("::ffff:127.0.0.1", false), ("::ffff:10.1.2.3", false), ("::ffff:169.254.169.254", false),
        ("::ffff:8.8.8.8", true),
        ("::127.0.0.1", false), ("::8.8.8.8", true),
        ("64:ff9b::7f00:1", false), ("64:ff9b::a00:1", false), ("64:ff9b::808:808", true),
        ("64:ff9b:1::1", false), ("64:ff9b:1:ffff:ffff:ffff:ffff:ffff", false), ("64:ff9b:2::", true),
        ("100::", false), ("100::ffff:ffff:ffff:ffff", false), ("100:0:0:1::", true),
        ("2001::", false), ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false), ("2001:1ff:ffff::", false),
        ("2001:200::", true),
        ("2001:db8::1", false), ("2001:db8:ffff:ffff::", false), ("2001:db7:ffff::", true), ("2001:db9::", true),
        ("2002:7f00:1::", false), ("2002:a00:1::", false), ("2002:808:808::", true),
        ("fc00::1", false), ("fd00:ec2::254", false), ("fdff:ffff::", false), ("fbff:ffff::", true), ("fe00::", true),
        ("fe80::1", false), ("febf:ffff::", false), ("fec0::1", false), ("feff:ffff::", false),
        ("ff02::1", false), ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false),
        ("2606:4700::1111", true), ("2001:4860:4860::8888", true), ("2a00:1450:4001:81d::200e", true),
    ]

    @Test("Public and special-purpose addresses", arguments: addresses)
    func isPublic(address: String, expected: Bool) throws {
        let bytes = try #require(WebhookTargetPolicy.ipLiteral(address))
        #expect(WebhookTargetPolicy.isPublic(bytes) == expected)
    }

    @Test("An address of any other length is not public")
    func wrongLength() {
        #expect(!WebhookTargetPolicy.isPublic([]))
        #expect(!WebhookTargetPolicy.isPublic([8, 8, 8]))
        #expect(!WebhookTargetPolicy.isPublic([8, 8, 8, 8, 8]))
    }

    @Test("IP literals are the four-part decimal IPv4 form and IPv6, bracketed or not")
    func ipLiterals() {
        #expect(WebhookTargetPolicy.ipLiteral("127.0.0.1") == [127, 0, 0, 1])
        let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
        #expect(WebhookTargetPolicy.ipLiteral("::1") == loopback)
        #expect(WebhookTargetPolicy.ipLiteral("[::1]") == loopback)
        #expect(
            WebhookTargetPolicy.ipLiteral("[::ffff:127.0.0.1]")
                == Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1])
        for text in [
            "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[127.0.0.1]", "example.com", "[::1", "::1]",
            "fe80::1%eth0", " 1.2.3.4", "", "[]",
        ] {
            #expect(WebhookTargetPolicy.ipLiteral(text) == nil, "\(text)")
        }
    }
}
