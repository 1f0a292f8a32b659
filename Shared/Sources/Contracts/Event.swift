/// A payload that travels in an `Envelope`. Each event is defined once, in `Contracts/<Producer>/`, and its
/// Swift type mirrors its routing key (`call.completed` → `CallCompleted`).
public protocol Event: Codable, Sendable {
    static var type: EventType { get }
    /// Bumped only for a change that breaks readers; within a version fields are only added.
    static var version: Int { get }
}

extension Event {
    public static var version: Int { 1 }
}
