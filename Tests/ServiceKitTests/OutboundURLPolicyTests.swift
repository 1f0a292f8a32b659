@testable import ServiceKit
import Testing

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
        #expect(await production.resolvesToPublicAddresses("localhost") == false)
        #expect(await production.resolvesToPublicAddresses("no-such-host.invalid") == false)
        #expect(await development.resolvesToPublicAddresses("localhost") == true)
    }

    @Test("SSRF: a lookup that cannot start (too many running while DNS hangs) counts as not resolving; finished ones give their place back")
    func lookupLimit() async {
        let open = OutboundURLPolicy(allowPrivateNetworks: false, concurrentLookups: 1)
        #expect(await open.resolvesToPublicAddresses("8.8.8.8") == true)
        #expect(await open.resolvesToPublicAddresses("8.8.8.8") == true)
        #expect(open.lookups.inFlight == 0)
        let full = OutboundURLPolicy(allowPrivateNetworks: false, concurrentLookups: 0)
        #expect(await full.resolvesToPublicAddresses("8.8.8.8") == false)
    }
}
