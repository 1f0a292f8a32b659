/// How one connection to the broker behaves.
public struct AMQPConfiguration: Sendable {
    public var url: AMQPURL
    /// Shown by the broker (`rabbitmqctl list_connections client_properties`): say which service and role.
    public var connectionName: String
    /// Seconds; the broker closes a connection that stays silent for two of them.
    public var heartbeatSeconds: Int
    /// First and longest pause between reconnect attempts; the pause doubles after each failure.
    public var reconnectInitialDelay: Duration
    public var reconnectMaximumDelay: Duration
    /// Publishes sent but not yet confirmed; further publishes wait until confirms come back.
    public var maximumUnconfirmed: Int
    /// PEM file of the certificate authority for `amqps://`; nil uses the system store.
    public var tlsCACertificatePath: String?
    /// Verify the broker's certificate and host name (never disable in production).
    public var tlsVerifyPeer: Bool

    public init(
        url: AMQPURL, connectionName: String, heartbeatSeconds: Int = 30, reconnectInitialDelay: Duration = .milliseconds(100),
        reconnectMaximumDelay: Duration = .seconds(10), maximumUnconfirmed: Int = 5_000, tlsCACertificatePath: String? = nil,
        tlsVerifyPeer: Bool = true
    ) {
        self.url = url
        self.connectionName = connectionName
        self.heartbeatSeconds = heartbeatSeconds
        self.reconnectInitialDelay = reconnectInitialDelay
        self.reconnectMaximumDelay = reconnectMaximumDelay
        self.maximumUnconfirmed = maximumUnconfirmed
        self.tlsCACertificatePath = tlsCACertificatePath
        self.tlsVerifyPeer = tlsVerifyPeer
    }
}
