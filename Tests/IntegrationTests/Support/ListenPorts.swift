import Glibc
import Synchronization

/// The ports this test process has handed to servers (`TestEnvironment.listenPort`).
final class ListenPorts: Sendable {
    static let shared = ListenPorts()

    private let given = Mutex<Set<Int>>([])

    /// A random port in 10,000–31,999 that no earlier call returned and that nothing on this machine listens on now.
    func next() -> Int {
        given.withLock { given in
            while true {
                precondition(given.count < 20_000, "the test run used up its listening ports")
                let port = Int.random(in: 10_000..<32_000)
                if given.contains(port) { continue }
                given.insert(port)
                if Self.isFree(port) { return port }
            }
        }
    }

    /// Whether a socket can be bound to the port on every address (without `SO_REUSEADDR`, so a port another
    /// socket holds in any state counts as taken).
    private static func isFree(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return true }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
