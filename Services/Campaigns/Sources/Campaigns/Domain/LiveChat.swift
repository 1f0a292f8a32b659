import Contracts
import Foundation

/// CA-49, CA-50: who may answer a customer's chat on a WhatsApp number. A chat is the customer's conversation with the
/// number, from the message that starts it (`startsAfresh`).
struct LiveChat: Sendable, Equatable {
    var lastInbound: Date
    var assignee: UserID?
    var resolvedAt: Date?
    /// The customer's last message (WhatsApp's stamp); nil while they have sent none, only reactions or WhatsApp's
    /// notices (which move `lastInbound`, the window).
    var lastMessage: Date?

    /// CA-49: exactly one state at a time.
    enum State: String, Sendable, Codable, CaseIterable {
        /// New or unassigned: visible to every agent, and the first to answer takes it.
        case open
        /// Owned by one agent: only they, or a manager, admin or owner, may reply.
        case assigned
        /// Resolved, or inactive (the customer's window closed): no reply until the customer writes again.
        case closed
    }

    /// Who acts on a chat, as far as ownership goes (D-27 roles, mapped at the edge).
    enum Actor: Sendable, Equatable {
        /// An agent: answers open chats and their own.
        case agent(UserID)
        /// A manager, admin or owner: answers any chat and reassigns them (CA-50).
        case supervisor(UserID)

        var userID: UserID {
            switch self {
            case .agent(let id), .supervisor(let id): id
            }
        }
    }

    /// CA-49: resolved and inactive chats are closed; a chat with an owner is assigned; any other is open.
    func state(now: Date) -> State {
        if resolvedAt != nil || !ServiceWindow.isOpen(lastInbound: lastInbound, now: now) { return .closed }
        return assignee == nil ? .open : .assigned
    }

    /// What a reply by `actor` does to the chat.
    enum ReplyVerdict: Sendable, Equatable {
        /// The reply goes; the chat stays as it is.
        case reply
        /// CA-50: the reply goes and the chat becomes the actor's (they intervened in an open chat).
        case replyAndTake
        /// The reply is refused.
        case refused(Refusal)
    }

    enum Refusal: Sendable, Equatable {
        /// The window closed: only a template may go (CA-05, D-18).
        case windowClosed
        /// CA-49: resolved: no reply until the customer writes again.
        case resolved
        /// CA-50: another agent owns the chat; everyone else reads it only.
        case assignedElsewhere(UserID)
    }

    /// CA-49, CA-50: an open chat becomes the chat of whoever answers it first; an assigned one takes replies from its
    /// owner and from supervisors (who do not take it over by answering); a closed one takes none.
    func reply(by actor: Actor, now: Date) -> ReplyVerdict {
        guard ServiceWindow.isOpen(lastInbound: lastInbound, now: now) else { return .refused(.windowClosed) }
        guard resolvedAt == nil else { return .refused(.resolved) }
        guard let assignee else { return .replyAndTake }
        if assignee == actor.userID { return .reply }
        if case .supervisor = actor { return .reply }
        return .refused(.assignedElsewhere(assignee))
    }

    /// CA-50: only a manager, admin or owner reassigns a chat (or returns it to the open queue with no one).
    static func mayReassign(_ actor: Actor) -> Bool {
        if case .supervisor = actor { return true }
        return false
    }

    /// CA-49: the chat's owner or a supervisor resolves it; an open chat any agent may resolve. A chat already closed
    /// stays as it is.
    func mayResolve(by actor: Actor) -> Bool {
        if case .supervisor = actor { return true }
        return assignee == nil || assignee == actor.userID
    }

    /// CA-50: a template is the business's own message and goes to any contact, except that an agent's template into
    /// a chat another agent owns, while the customer's window is open, is a reply into that chat.
    func templateRefusal(by actor: Actor, now: Date) -> Refusal? {
        guard case .refused(.assignedElsewhere(let owner)) = reply(by: actor, now: now) else { return nil }
        return .assignedElsewhere(owner)
    }

    /// CA-49: what a customer starts a chat with: a message of theirs. A reaction, or a notice from WhatsApp itself, is
    /// nobody starting a conversation (CA-53 does not answer them either).
    static func isCustomerMessage(type: String) -> Bool {
        !["reaction", "system", "unsupported", "ephemeral"].contains(type)
    }

    /// CA-49: a customer's message (`isCustomerMessage`) that starts a new chat, which then is open to every agent
    /// again (no owner, not resolved): their first ever, their first 24 hours or more after their last one, or any
    /// recorded after the chat was resolved (nobody has seen it, however old its stamp: repeated webhooks are dropped
    /// before this). Reactions and notices count for none of this: they do not move `lastMessage`.
    static func startsAfresh(before: LiveChat?, messageAt: Date) -> Bool {
        guard let before, let last = before.lastMessage else { return true }
        if !ServiceWindow.isOpen(lastInbound: last, now: messageAt) { return true }
        return before.resolvedAt != nil
    }
}

/// CA-58: what the chat's journey records, with when and who.
enum ChatEventKind: String, Sendable, Codable, CaseIterable {
    /// The customer started a chat (`LiveChat.startsAfresh`).
    case opened
    /// CA-50: an agent answered an open chat and now owns it.
    case autoAssigned = "auto_assigned"
    /// A supervisor gave the chat to an agent.
    case reassigned
    /// A supervisor returned the chat to the open queue.
    case unassigned
    case resolved
}
