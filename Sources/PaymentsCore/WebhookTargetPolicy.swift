import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which webhook URLs the service may POST to.
///
/// A client chooses the URL and the service makes the request, so an unchecked URL would let a client reach
/// whatever our network can: the cloud metadata service, the database, admin ports on loopback (SSRF). Only `https`
/// URLs whose host resolves to public addresses are accepted, at registration and again before every delivery, since
/// DNS answers change.
public struct WebhookTargetPolicy: Sendable, Hashable {
    /// Allows `http` and private, loopback and reserved addresses: for development against a local receiver only.
    public var allowPrivate: Bool

    /// Creates a policy.
    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// A URL split into what delivery needs.
    public struct Target: Sendable, Hashable {
        /// `https`, or `http` when private targets are allowed; lowercase.
        public var scheme: String
        /// The host name in lowercase, or an IP address (IPv6 without brackets).
        public var host: String
        /// The port, the scheme's default when the URL has none.
        public var port: Int

        /// Creates a target.
        public init(scheme: String, host: String, port: Int) {
            self.scheme = scheme
            self.host = host
            self.port = port
        }
    }

    /// Checks the URL's form without DNS: returns the target, or a reason (a short English phrase such as
    /// "must be an https URL", "must not contain credentials", "must not have a fragment", "is longer than 2048 bytes",
    /// "must be an absolute URL with a host", "must not contain spaces or control characters",
    /// "points to a private, loopback, link-local or reserved address"). Reasons never echo the URL.
    ///
    /// A host name passing this check may still resolve to a private address; `resolve(_:)` is the second half.
    public func check(url: String) -> Result<Target, TargetProblem> {
        guard url.utf8.count <= 2048 else { return .failure(.tooLong) }
        // Non-ASCII is refused too: bidi overrides and look-alike letters make a URL read as another, and
        // international names have an ASCII (punycode) spelling.
        guard url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .failure(.controlCharacters) }
        guard let components = URLComponents(string: url) else { return .failure(.notAbsolute) }
        let scheme = components.scheme?.lowercased()
        guard scheme == "https" || (allowPrivate && scheme == "http"), let scheme else {
            return .failure(allowPrivate ? .notHTTP : .notHTTPS)
        }
        guard let rawHost = components.percentEncodedHost, !rawHost.isEmpty else { return .failure(.notAbsolute) }
        guard components.percentEncodedUser == nil, components.percentEncodedPassword == nil else {
            return .failure(.credentials)
        }
        guard components.percentEncodedFragment == nil else { return .failure(.fragment) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return .failure(.port) }
        let host: String
        switch Self.canonicalHost(rawHost) {
        case .success(let canonical): host = canonical
        case .failure(let problem): return .failure(problem)
        }
        if !allowPrivate {
            if let address = Self.ipLiteral(host) {
                guard Self.isPublic(address) else { return .failure(.notPublic) }
            } else if Self.isLocalhost(host) {
                return .failure(.notPublic)
            }
        }
        return .success(Target(scheme: scheme, host: host, port: port))
    }

    /// Resolves the host (getaddrinfo, run off the cooperative thread pool, e.g. on a Thread/DispatchQueue with a
    /// continuation) and checks every address it resolves to; an IP-literal host is checked without DNS.
    /// Refused when it does not resolve, or when ANY resolved address is not public (unless allowPrivate).
    ///
    /// Returns the addresses as text. Delivery should connect to one of them rather than look the name up again,
    /// or a name that answers differently the second time (DNS rebinding) slips past the check.
    public func resolve(_ target: Target) async -> Result<[String], TargetProblem> {
        if let address = Self.ipLiteral(target.host) {
            guard allowPrivate || Self.isPublic(address) else { return .failure(.notPublic) }
            return .success([Self.text(address)])
        }
        let host: String
        switch Self.canonicalHost(target.host.lowercased()) {
        case .success(let canonical): host = canonical
        case .failure(let problem): return .failure(problem)
        }
        guard allowPrivate || !Self.isLocalhost(host) else { return .failure(.notPublic) }
        // getaddrinfo blocks, for seconds when a name server is slow; a cooperative pool thread must not wait on it.
        let addresses = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Self.lookUp(host))
            }
        }
        guard !addresses.isEmpty else { return .failure(.unresolved) }
        guard allowPrivate || addresses.allSatisfy(Self.isPublic) else { return .failure(.notPublic) }
        var texts: [String] = []
        for text in addresses.map(Self.text) where !texts.contains(text) {
            texts.append(text)
        }
        return .success(texts)
    }

    /// Whether an address (4 bytes IPv4 or 16 bytes IPv6) is a public unicast address.
    ///
    /// Refuses the IANA special-purpose ranges (private, shared, loopback, link-local including the metadata
    /// service, documentation, benchmarking, multicast, reserved); IPv6 forms that embed an IPv4 address are judged
    /// by that address, since they reach it.
    public static func isPublic(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4:
            return !reservedIPv4.contains { $0.matches(address) }
        case 16:
            if embeddingIPv4.contains(where: { $0.matches(address) }) {
                return isPublic(Array(address[12..<16]))
            }
            if sixToFour.matches(address) {
                return isPublic(Array(address[2..<6]))
            }
            return !reservedIPv6.contains { $0.matches(address) }
        default:
            return false
        }
    }

    /// Parses an IPv4 or IPv6 literal (IPv6 possibly in brackets as in URLs) with inet_pton; nil otherwise.
    ///
    /// inet_pton takes IPv4 only as four decimal parts, so the shorthand forms resolvers accept (`127.1`,
    /// `0x7f000001`) are not literals here.
    public static func ipLiteral(_ host: String) -> [UInt8]? {
        var text = Substring(host)
        if text.hasPrefix("[") {
            guard text.hasSuffix("]"), text.count > 2 else { return nil }
            text = text.dropFirst().dropLast()
            guard text.contains(":") else { return nil }
        }
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(text), &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, String(text), &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}

/// Why a webhook URL is refused. Safe to show the client and to log: it never repeats the URL, which may carry a
/// secret in its path or query.
public struct TargetProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short English phrase, such as "must be an https URL".
    public var reason: String

    /// Creates a problem.
    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

extension TargetProblem {
    fileprivate static let tooLong = Self(reason: "is longer than 2048 bytes")
    fileprivate static let controlCharacters = Self(reason: "must not contain spaces or control characters")
    fileprivate static let notAbsolute = Self(reason: "must be an absolute URL with a host")
    fileprivate static let notHTTPS = Self(reason: "must be an https URL")
    fileprivate static let notHTTP = Self(reason: "must be an http or https URL")
    fileprivate static let credentials = Self(reason: "must not contain credentials")
    fileprivate static let fragment = Self(reason: "must not have a fragment")
    fileprivate static let port = Self(reason: "must have a port between 1 and 65535")
    fileprivate static let hostForm = Self(reason: "must be a hostname or a dotted IPv4 / IPv6 address")
    fileprivate static let notPublic = Self(reason: "points to a private, loopback, link-local or reserved address")
    fileprivate static let unresolved = Self(reason: "does not resolve to an address")
}

/// The first `bits` bits of an address.
private struct Prefix: Sendable {
    let bytes: [UInt8]
    let bits: Int

    init(_ bytes: [UInt8], _ bits: Int) {
        self.bytes = bytes
        self.bits = bits
    }

    func matches(_ address: [UInt8]) -> Bool {
        guard address.count * 8 >= bits else { return false }
        for index in 0..<(bits + 7) / 8 {
            let remaining = bits - index * 8
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> remaining)
            let expected = index < bytes.count ? bytes[index] : 0
            guard address[index] & mask == expected & mask else { return false }
        }
        return true
    }
}

extension WebhookTargetPolicy {
    private static let reservedIPv4: [Prefix] = [
        Prefix([0], 8),  // "this network"
        Prefix([10], 8),  // private
        Prefix([100, 64], 10),  // shared address space (carrier-grade NAT)
        Prefix([127], 8),  // loopback
        Prefix([169, 254], 16),  // link-local, including the 169.254.169.254 metadata service
        Prefix([172, 16], 12),  // private
        Prefix([192, 0, 0], 24),  // IETF protocol assignments
        Prefix([192, 0, 2], 24),  // documentation
        Prefix([192, 88, 99], 24),  // 6to4 relay anycast
        Prefix([192, 168], 16),  // private
        Prefix([198, 18], 15),  // benchmarking
        Prefix([198, 51, 100], 24),  // documentation
        Prefix([203, 0, 113], 24),  // documentation
        Prefix([224], 4),  // multicast
        Prefix([240], 4),  // reserved, including the 255.255.255.255 broadcast
    ]

    /// IPv4-mapped, IPv4-compatible (which covers :: and ::1) and NAT64: the last four bytes are where they go.
    private static let embeddingIPv4: [Prefix] = [
        Prefix([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], 96),
        Prefix([], 96),
        Prefix([0x00, 0x64, 0xFF, 0x9B], 96),
    ]

    /// 6to4: bytes 2 to 5 are the IPv4 address it reaches.
    private static let sixToFour = Prefix([0x20, 0x02], 16)

    private static let reservedIPv6: [Prefix] = [
        Prefix([0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01], 48),  // local-use NAT64
        Prefix([0x01, 0x00], 64),  // discard-only
        Prefix([0x20, 0x01, 0x00], 23),  // IETF protocol assignments, including Teredo
        Prefix([0x20, 0x01, 0x0D, 0xB8], 32),  // documentation
        Prefix([0xFC], 7),  // unique local, including fd00:ec2::254 (the AWS metadata service)
        Prefix([0xFE, 0x80], 10),  // link-local
        Prefix([0xFE, 0xC0], 10),  // site-local (deprecated)
        Prefix([0xFF], 8),  // multicast
    ]

    /// The host from a URL in the form delivery uses, lowercase and IPv6 without brackets, or why it is refused.
    ///
    /// Percent escapes and characters outside a DNS name are refused, so that every HTTP client reads the same
    /// host we checked. A name whose last label is a number is an IPv4 address to inet_aton and to URL parsers
    /// (`127.1`, `2130706433`, `0x7f.1`); only the four-part decimal form is accepted, because only that one is
    /// checked as an address here.
    private static func canonicalHost(_ raw: String) -> Result<String, TargetProblem> {
        let host = raw.lowercased()
        if host.hasPrefix("[") {
            guard let address = ipLiteral(host), address.count == 16 else { return .failure(.hostForm) }
            return .success(String(host.dropFirst().dropLast()))
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard host.allSatisfy({ allowed.contains($0) }) else { return .failure(.hostForm) }
        let name = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard let last = labels.last, labels.allSatisfy({ !$0.isEmpty }) else { return .failure(.hostForm) }
        if ipLiteral(host) != nil { return .success(host) }
        let isDecimal = last.allSatisfy(\.isASCIIDigit)
        let isHex = last.hasPrefix("0x") && last.dropFirst(2).allSatisfy(\.isHexDigit)
        guard !isDecimal, !isHex else { return .failure(.hostForm) }
        return .success(host)
    }

    /// `localhost` and names under it, which resolvers answer with loopback without asking DNS (RFC 6761).
    private static func isLocalhost(_ host: String) -> Bool {
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        return name == "localhost" || name.hasSuffix(".localhost")
    }

    /// Every address `host` resolves to, in the resolver's order; empty when it does not resolve.
    private static func lookUp(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var entry = list
        while let info = entry?.pointee {
            if info.ai_family == AF_INET, let socketAddress = info.ai_addr {
                let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                addresses.append(withUnsafeBytes(of: address) { Array($0) })
            } else if info.ai_family == AF_INET6, let socketAddress = info.ai_addr {
                let address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_addr
                }
                addresses.append(withUnsafeBytes(of: address) { Array($0) })
            }
            entry = info.ai_next
        }
        return addresses
    }

    /// An address as inet_ntop writes it.
    private static func text(_ address: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        let written = address.withUnsafeBytes { bytes in
            inet_ntop(family, bytes.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
