public import Storage

/// Names one service everywhere: its executable and logs (`call-router`), its schema (`callrouter`),
/// its queue prefix and its default HTTP port.
public struct ServiceIdentity: Sendable {
    public let name: String
    public let schema: SchemaName
    public let defaultPort: Int

    public init(name: String, schema: SchemaName, defaultPort: Int) {
        self.name = name
        self.schema = schema
        self.defaultPort = defaultPort
    }

    /// `<schema>.<purpose>`, the naming rule for queues.
    public func queue(_ purpose: String) -> String { "\(schema.rawValue).\(purpose)" }
}
