/// A service's PostgreSQL schema. Validated to `[a-z_][a-z0-9_]*`, so it is safe to splice into SQL text
/// (identifiers cannot be bound as parameters); every table a service touches is qualified with it.
public struct SchemaName: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard let first = rawValue.first, first == "_" || ("a"..."z").contains(first), rawValue.count <= 48,
            rawValue.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// The channel the outbox trigger notifies when rows are inserted.
    public var outboxChannel: String { "\(rawValue)_outbox" }
}
