import Foundation

/// Where and how to reach the broker: `amqp://user:password@host:5672/vhost` or `amqps://…` for TLS.
/// The vhost is the URL path, percent-decoded (`/%2F` or an empty path is the default vhost `/`).
public struct AMQPURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String
    public var tls: Bool

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "amqp" || scheme == "amqps", let host = components.host, !host.isEmpty
        else { return nil }
        self.tls = scheme == "amqps"
        self.host = host
        self.port = components.port ?? (tls ? 5671 : 5672)
        self.user = components.percentEncodedUser?.removingPercentEncoding ?? "guest"
        self.password = components.percentEncodedPassword?.removingPercentEncoding ?? "guest"
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            self.vhost = "/"
        } else {
            guard let decoded = String(path.dropFirst()).removingPercentEncoding else { return nil }
            self.vhost = decoded
        }
    }

    /// The URL without its password, for logs.
    public var description: String {
        let vhostPath = vhost == "/" ? "" : "/" + (vhost.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? vhost)
        return "\(tls ? "amqps" : "amqp")://\(user)@\(host):\(port)\(vhostPath)"
    }
}
