import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where a URL a customer typed in (an input node's webhook, a CRM endpoint) may point before the platform sends it
/// anything. The platform's own network is off limits: loopback, private ranges, link-local (cloud metadata at
/// 169.254.169.254), carrier-grade NAT, multicast, and names that mean this machine. Without this, a company user
/// could make our servers POST call data to our database port or to the cloud's metadata service (SSRF).
///
/// Two checks: `refusal(of:)` when the URL is saved (literal addresses and local names), and
/// `resolvesToPublicAddresses(_:)` right before each request (what the name resolves to now). A name can still
/// resolve differently a moment later, for the HTTP client; the check narrows that window, it does not close it.
public struct OutboundURLPolicy: Sendable {
    /// True in development and tests, where the customer's webhook is a server on this machine.
    public var allowPrivateNetworks: Bool
    /// The name lookups running now.
    let lookups: NameLookups

    /// The environment variable that sets `allowPrivateNetworks` (`true` or `false`). Unset: false when
    /// `MYOP_ENV=production`, true otherwise.
    public static let variable = "MYOP_ALLOW_PRIVATE_WEBHOOKS"

    public init(allowPrivateNetworks: Bool, concurrentLookups: Int = 64, lookupsPerOwner: Int = 8) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.lookups = NameLookups(limit: concurrentLookups, perOwner: lookupsPerOwner)
    }

    public init(configuration: ServiceConfiguration) {
        switch configuration.values[Self.variable]?.lowercased() {
        case "true": self.init(allowPrivateNetworks: true)
        case "false": self.init(allowPrivateNetworks: false)
        default: self.init(allowPrivateNetworks: configuration.environment != .production)
        }
    }

    public enum Refusal: String, Sendable, Hashable {
        /// Not an absolute http(s) URL with a host.
        case notHTTP
        /// A literal address or a name of the platform's own network.
        case privateNetwork
    }

    /// An absolute http(s) URL with a host, at most 2,000 characters.
    public static func isHTTPURL(_ text: String) -> Bool {
        guard text.count <= 2_000, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return false
        }
        return scheme == "http" || scheme == "https"
    }

    public func refusal(of text: String) -> Refusal? {
        guard Self.isHTTPURL(text), let host = URL(string: text)?.host else { return .notHTTP }
        if allowPrivateNetworks { return nil }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]."))
        if name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".internal") || name.hasSuffix(".local") {
            return .privateNetwork
        }
        if let address = IPAddress(name), !address.isPublic { return .privateNetwork }
        return nil
    }

    /// True when every address `host` resolves to now is public (or private networks are allowed). A name that
    /// does not resolve is refused. The lookup blocks, so it runs on a thread of its own, not on the Swift
    /// concurrency pool (`NameLookups`). `owner` (the company whose URL it is) may have only a few names looked up
    /// at once, so one tenant's hanging names cannot take every place.
    public func resolvesToPublicAddresses(_ host: String, for owner: String?) async -> Bool {
        if allowPrivateNetworks { return true }
        let addresses = await lookups.resolve(host.lowercased(), owner: owner, with: Self.resolve)
        return !addresses.isEmpty && addresses.allSatisfy(\.isPublic)
    }

    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var first: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &first) == 0 else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var next = first
        while let entry = next {
            if let address = IPAddress(entry.pointee.ai_addr) { addresses.append(address) }
            next = entry.pointee.ai_next
        }
        return addresses
    }
}

/// An IPv4 or IPv6 address, for telling the public internet from everything else.
public struct IPAddress: Sendable, Hashable {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    init?(_ socketAddress: UnsafeMutablePointer<sockaddr>?) {
        guard let socketAddress else { return nil }
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
        case AF_INET6:
            bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
        default:
            return nil
        }
    }

    /// Routable on the public internet: not loopback, private (RFC 1918, fc00::/7), link-local, carrier-grade NAT,
    /// unspecified, multicast or reserved. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
    public var isPublic: Bool {
        if bytes.count == 16 {
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                return Self.isPublicV4(Array(bytes[12...]))
            }
            return Self.isPublicV6(bytes)
        }
        return Self.isPublicV4(bytes)
    }

    private static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): false  // this network, private, loopback
        case (100, 64...127): false  // carrier-grade NAT
        case (169, 254): false  // link-local, cloud metadata
        case (172, 16...31), (192, 168): false  // private
        case (192, 0) where b[2] == 0: false  // IETF protocol assignments
        case (198, 18...19): false  // benchmarking
        case (224...255, _): false  // multicast, reserved, broadcast
        default: true
        }
    }

    private static func isPublicV6(_ b: [UInt8]) -> Bool {
        if b.allSatisfy({ $0 == 0 }) { return false }  // unspecified
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return false }  // loopback
        // Addresses that carry an IPv4 address: judged as that address.
        if b[0..<12].allSatisfy({ $0 == 0 }) { return isPublicV4(Array(b[12...])) }  // IPv4-compatible ::a.b.c.d
        if b[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return isPublicV4(Array(b[12...])) }  // NAT64 64:ff9b::/96
        if b[0] == 0x20 && b[1] == 0x02 { return isPublicV4(Array(b[2..<6])) }  // 6to4 2002::/16
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return false }  // site-local fec0::/10 (deprecated, still private)
        if b[0] & 0xfe == 0xfc { return false }  // unique local fc00::/7
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }  // link-local fe80::/10
        if b[0] == 0xff { return false }  // multicast
        return true
    }
}

/// Blocking name lookups, each on a thread of its own. A caller that stops waiting (an input node has 3 seconds)
/// leaves its lookup running until the resolver gives up, so while a DNS server hangs, threads would pile up with
/// every call. Callers asking for a name already being looked up wait for that lookup instead of starting one, so a
/// company whose webhook's name never resolves holds one thread, however many calls reach its input node. At most
/// `limit` names are looked up at once, and at most `perOwner` of them started for one owner (a company), so one
/// company's many hanging names (random subdomains) cannot take the places of the others; beyond either, a name counts
/// as not resolving.
final class NameLookups: Sendable {
    let limit: Int
    let perOwner: Int

    private struct Running {
        /// The names being looked up, with everyone waiting for each.
        var waiting: [String: [CheckedContinuation<[IPAddress], Never>]] = [:]
        /// Who started each lookup, and how many running lookups each owner started.
        var startedBy: [String: String] = [:]
        var started: [String: Int] = [:]
    }

    private let running = Mutex(Running())

    init(limit: Int, perOwner: Int = 8) {
        self.limit = limit
        self.perOwner = perOwner
    }

    /// What `lookup` answers for `host`, or nothing when `limit` other names, or `perOwner` other names of `owner`,
    /// are being looked up. A name already being looked up is shared whoever asks.
    func resolve(_ host: String, owner: String?, with lookup: @escaping @Sendable (String) -> [IPAddress]) async -> [IPAddress] {
        await withCheckedContinuation { continuation in
            enum Start { case new, joined, full }
            let start = running.withLock { running -> Start in
                if running.waiting[host] != nil {
                    running.waiting[host]?.append(continuation)
                    return .joined
                }
                guard running.waiting.count < limit else { return .full }
                if let owner {
                    guard running.started[owner, default: 0] < perOwner else { return .full }
                    running.started[owner, default: 0] += 1
                    running.startedBy[host] = owner
                }
                running.waiting[host] = [continuation]
                return .new
            }
            switch start {
            case .joined: break
            case .full: continuation.resume(returning: [])
            case .new:
                Thread {
                    let addresses = lookup(host)
                    for waiter in self.finish(host) { waiter.resume(returning: addresses) }
                }.start()
            }
        }
    }

    private func finish(_ host: String) -> [CheckedContinuation<[IPAddress], Never>] {
        running.withLock { running in
            if let owner = running.startedBy.removeValue(forKey: host) {
                let left = running.started[owner, default: 1] - 1
                running.started[owner] = left > 0 ? left : nil
            }
            return running.waiting.removeValue(forKey: host) ?? []
        }
    }

    /// How many names are being looked up now, and how many callers wait for them.
    var inFlight: (names: Int, callers: Int) {
        running.withLock { running in (running.waiting.count, running.waiting.values.reduce(0) { $0 + $1.count }) }
    }
}
