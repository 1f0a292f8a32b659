import Foundation
@testable import ServiceKit
import Synchronization
import Testing

/// A name lookup that answers 8.8.8.8 only when released, once per `release.signal()`, and counts its calls.
final class HeldLookup: Sendable {
    let release = DispatchSemaphore(value: 0)
    let calls = Mutex(0)

    var lookup: @Sendable (String) -> [IPAddress] {
        { _ in
            self.calls.withLock { $0 += 1 }
            self.release.wait()
            return [IPAddress("8.8.8.8")!]
        }
    }
}

/// Where a customer's webhook may point (SSRF): nowhere inside the platform's own network, unless configured so.
@Suite("Outbound URL policy")
struct OutboundURLPolicyTests {
    let production = OutboundURLPolicy(allowPrivateNetworks: false)
    let development = OutboundURLPolicy(allowPrivateNetworks: true)

    @Test(
        "SSRF: loopback, private, link-local, CGNAT, unspecified, multicast and local names are refused",
        arguments: [
            "http://127.0.0.1:55432/", "http://127.9.9.9/", "http://localhost:8081/ivr", "http://api.localhost/", "http://LOCALHOST./",
            "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/",
            "http://192.168.1.10/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/", "http://255.255.255.255/",
            "http://[::1]/", "http://[::]/", "http://[fd00::1]/", "http://[fe80::1]/", "http://[ff02::1]/", "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:10.0.0.1]/", "http://[::127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:c0a8:0101::1]/",
            "http://[fec0::1]/", "https://metadata.google.internal/", "http://printer.local/",
        ])
    func refusesPrivate(url: String) {
        #expect(production.refusal(of: url) == .privateNetwork, "\(url)")
        #expect(development.refusal(of: url) == nil, "\(url)")
    }

    @Test(
        "SSRF: public names and addresses pass",
        arguments: [
            "https://crm.example.com/ivr", "http://8.8.8.8/hook", "https://172.32.0.1/", "https://100.128.0.1/", "https://192.169.0.1/",
            "https://[2001:4860:4860::8888]/ivr", "https://[64:ff9b::808:808]/", "https://[2002:0808:0808::1]/",
        ])
    func allowsPublic(url: String) {
        #expect(production.refusal(of: url) == nil, "\(url)")
    }

    @Test("SSRF: anything but an absolute http(s) URL is refused whatever the setting")
    func refusesNonHTTP() {
        for url in ["ftp://example.com/", "file:///etc/passwd", "example.com/ivr", "", "http://"] {
            #expect(production.refusal(of: url) == .notHTTP, "\(url)")
            #expect(development.refusal(of: url) == .notHTTP, "\(url)")
        }
    }

    @Test("SSRF: a name that resolves to this machine is refused at request time")
    func resolution() async {
        #expect(await production.resolvesToPublicAddresses("localhost", for: nil) == false)
        #expect(await production.resolvesToPublicAddresses("no-such-host.invalid", for: nil) == false)
        #expect(await development.resolvesToPublicAddresses("localhost", for: nil) == true)
    }

    @Test("SSRF: callers asking for a name being looked up share that lookup; beyond the limit a name counts as not resolving")
    func lookupsAreSharedAndBounded() async throws {
        let lookups = NameLookups(limit: 1)
        let held = HeldLookup()
        let hanging = held.lookup
        async let first = lookups.resolve("hangs.example", owner: nil, with: hanging)
        async let second = lookups.resolve("hangs.example", owner: nil, with: hanging)
        while lookups.inFlight.callers < 2 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(lookups.inFlight.names == 1)
        #expect(await lookups.resolve("other.example", owner: nil, with: hanging).isEmpty, "the one place is taken")
        held.release.signal()
        #expect(await first == [IPAddress("8.8.8.8")!])
        #expect(await second == [IPAddress("8.8.8.8")!])
        #expect(held.calls.withLock { $0 } == 1)
        #expect(lookups.inFlight.names == 0 && lookups.inFlight.callers == 0)
        #expect(await OutboundURLPolicy(allowPrivateNetworks: false).resolvesToPublicAddresses("8.8.8.8", for: nil) == true)
        #expect(await OutboundURLPolicy(allowPrivateNetworks: false, concurrentLookups: 0).resolvesToPublicAddresses("8.8.8.8", for: nil) == false)
    }

    @Test("SSRF: one owner's hanging names take at most its own places; another owner still gets lookups, and shares a name in flight")
    func lookupsAreBoundedPerOwner() async throws {
        let lookups = NameLookups(limit: 8, perOwner: 2)
        let held = HeldLookup()
        let hanging = held.lookup
        async let first = lookups.resolve("a1.attacker.example", owner: "tenant-a", with: hanging)
        async let second = lookups.resolve("a2.attacker.example", owner: "tenant-a", with: hanging)
        while lookups.inFlight.names < 2 { try await Task.sleep(for: .milliseconds(5)) }
        let quick: @Sendable (String) -> [IPAddress] = { _ in [IPAddress("8.8.4.4")!] }
        #expect(await lookups.resolve("a3.attacker.example", owner: "tenant-a", with: quick).isEmpty, "tenant-a's two places are taken")
        async let shared = lookups.resolve("a1.attacker.example", owner: "tenant-b", with: hanging)
        async let own = lookups.resolve("crm.tenant-b.example", owner: "tenant-b", with: hanging)
        while lookups.inFlight.callers < 4 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(lookups.inFlight.names == 3)
        for _ in 0..<3 { held.release.signal() }
        #expect(await first == [IPAddress("8.8.8.8")!])
        #expect(await second == [IPAddress("8.8.8.8")!])
        #expect(await shared == [IPAddress("8.8.8.8")!])
        #expect(await own == [IPAddress("8.8.8.8")!])
        #expect(held.calls.withLock { $0 } == 3)
        // The places are given back: tenant-a may look up names again.
        held.release.signal()
        #expect(await lookups.resolve("a3.attacker.example", owner: "tenant-a", with: hanging) == [IPAddress("8.8.8.8")!])
        #expect(lookups.inFlight.names == 0 && lookups.inFlight.callers == 0)
    }
}
