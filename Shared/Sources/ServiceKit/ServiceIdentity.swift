public import Storage

/// Names one service everywhere: its executable and logs (`call-router`), its schema (`callrouter`),
/// its queue prefix and its default HTTP port.
public struct ServiceIdentity: Sendable {
    public let name: String
    public let schema: SchemaName
    public let defaultPort: Int
    /// The service's consumer defaults; `MYOP_AMQP_PREFETCH`, `MYOP_CONSUMER_BATCH_SIZE` and
    /// `MYOP_CONSUMER_CONCURRENCY` override them.
    public let consumerDefaults: ConsumerDefaults
    /// The largest request body by default (`MYOP_MAX_BODY_BYTES` overrides it): 1 MiB, more where a service takes
    /// file uploads.
    public let maxBodyBytes: Int

    public init(
        name: String, schema: SchemaName, defaultPort: Int, consumerDefaults: ConsumerDefaults = ConsumerDefaults(), maxBodyBytes: Int = 1 << 20
    ) {
        self.name = name
        self.schema = schema
        self.defaultPort = defaultPort
        self.consumerDefaults = consumerDefaults
        self.maxBodyBytes = maxBodyBytes
    }

    /// `<schema>.<purpose>`, the naming rule for queues.
    public func queue(_ purpose: String) -> String { "\(schema.rawValue).\(purpose)" }
}

/// How a service's inbox consumers take deliveries: the broker's prefetch window, the most deliveries applied in
/// one transaction, and how many transactions run at once. One at a time by default: while a batch commits, the
/// next fills from the rest of the window, and every ack goes out at once as one `multiple` ack. Four at a time
/// halved the batches, held acks back to fold them in order, and made the broker, the database and the consumer
/// each spend more per event: `loadgen bus` end to end went from ~6,000 to ~7,400 events/s with one. A service
/// whose handler is one bulk statement per batch (Billing's rating) gains from bigger batches; the numbers are
/// measured in BENCHMARKS.md.
public struct ConsumerDefaults: Sendable, Hashable {
    public var prefetch: Int
    public var batchSize: Int
    public var concurrency: Int

    public init(prefetch: Int = 200, batchSize: Int = 100, concurrency: Int = 1) {
        self.prefetch = prefetch
        self.batchSize = batchSize
        self.concurrency = concurrency
    }
}
