import Contracts
import Foundation

/// Everything one decision writes besides the call's own row, gathered from its effects in order.
struct DecisionWrites: Sendable {
    struct Sticky: Sendable {
        var customer: PhoneNumber
        var agent: UserID
        var at: Date
    }

    /// `call.*` events for the outbox, in the order they happened.
    var events: [EncodedEnvelope] = []
    /// Each agent's on-call flag as the decision leaves it: true, on this call; false, off it (if still on it).
    var agents: [UserID: Bool] = [:]
    /// D-05: the agent who answered this caller.
    var sticky: Sticky?
    /// Lines the call gave back (it ended).
    var releasedLines = 0

    var busyAgents: [UserID] { agents.filter(\.value).map(\.key) }
    var freedAgents: [UserID] { agents.filter { !$0.value }.map(\.key) }

    /// A decision that enqueues an event must be on disk before the switch hears the answer. One without (a key, an
    /// offer, a time-out) need not wait for the disk: a database crash can only rewind the live call by that step,
    /// and PostgreSQL flushes it before any later durable commit, so the order of decisions holds.
    var needsDurableCommit: Bool { !events.isEmpty }
}
