/// A payload that travels in an `Envelope`. Each event is defined once, in `Contracts/<Producer>/`, and its
/// Swift type mirrors its routing key (`call.completed` → `CallCompleted`).
public protocol Event: Codable, Sendable {
    static var type: EventType { get }
    /// Bumped only for a change that breaks readers; within a version fields are only added.
    static var version: Int { get }
    /// The versions this reader's decoding understands: its own by default. A reader that learned to read the
    /// previous shape too (during a rolling deploy of a breaking change) widens it.
    static var readableVersions: ClosedRange<Int> { get }
}

extension Event {
    public static var version: Int { 1 }
    public static var readableVersions: ClosedRange<Int> { version...version }
}
