/// What went wrong talking to the broker, SSWG style: an opaque code plus a message.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case connectionLost, nacked, closed }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection dropped before the broker confirmed; the publish may or may not have happened.
        public static let connectionLost = Code(.connectionLost)
        /// The broker refused to take responsibility for a message.
        public static let nacked = Code(.nacked)
        /// The connection was closed by us; no more work is accepted.
        public static let closed = Code(.closed)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "AMQPError.\(code): \(message)" }
}
