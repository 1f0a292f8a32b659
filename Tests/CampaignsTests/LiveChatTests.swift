@testable import Campaigns
import Contracts
import Foundation
import Testing

@Suite("Campaigns Live Chat ownership")
struct LiveChatTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let asha = UserID()
    static let ravi = UserID()
    static let meera = UserID()

    static func chat(wroteAgo seconds: TimeInterval = 60, assignee: UserID? = nil, resolvedAgo: TimeInterval? = nil) -> LiveChat {
        LiveChat(lastInbound: now.addingTimeInterval(-seconds), assignee: assignee, resolvedAt: resolvedAgo.map { now.addingTimeInterval(-$0) })
    }

    @Test("CA-49: a chat is open, assigned or closed, one at a time; resolved and inactive chats are closed")
    func ca49States() {
        #expect(Self.chat().state(now: Self.now) == .open)
        #expect(Self.chat(assignee: Self.asha).state(now: Self.now) == .assigned)
        #expect(Self.chat(assignee: Self.asha, resolvedAgo: 10).state(now: Self.now) == .closed)
        #expect(Self.chat(resolvedAgo: 10).state(now: Self.now) == .closed)
        #expect(Self.chat(wroteAgo: 86_400, assignee: Self.asha).state(now: Self.now) == .closed, "the window closed")
        #expect(Self.chat(wroteAgo: 86_399).state(now: Self.now) == .open)
    }

    @Test("CA-50: the first agent to answer an open chat takes it; then only they or a supervisor reply, and a supervisor does not take it over")
    func ca50ReplyOwnership() {
        let open = Self.chat()
        #expect(open.reply(by: .agent(Self.asha), now: Self.now) == .replyAndTake)
        #expect(open.reply(by: .supervisor(Self.meera), now: Self.now) == .replyAndTake)
        let owned = Self.chat(assignee: Self.asha)
        #expect(owned.reply(by: .agent(Self.asha), now: Self.now) == .reply)
        #expect(owned.reply(by: .agent(Self.ravi), now: Self.now) == .refused(.assignedElsewhere(Self.asha)))
        #expect(owned.reply(by: .supervisor(Self.meera), now: Self.now) == .reply)
        #expect(owned.reply(by: .supervisor(Self.asha), now: Self.now) == .reply)
    }

    @Test("CA-49: a closed chat takes no reply: a resolved one until the customer writes, an inactive one needs a template")
    func ca49ClosedTakesNoReply() {
        #expect(Self.chat(assignee: Self.asha, resolvedAgo: 5).reply(by: .agent(Self.asha), now: Self.now) == .refused(.resolved))
        #expect(Self.chat(resolvedAgo: 5).reply(by: .supervisor(Self.meera), now: Self.now) == .refused(.resolved))
        #expect(Self.chat(wroteAgo: 90_000, assignee: Self.asha).reply(by: .agent(Self.asha), now: Self.now) == .refused(.windowClosed))
        #expect(Self.chat(wroteAgo: 90_000, resolvedAgo: 5).reply(by: .supervisor(Self.meera), now: Self.now) == .refused(.windowClosed))
    }

    @Test("CA-50: supervisors reassign; the owner or a supervisor resolves, any agent an open chat")
    func ca50ReassignAndResolve() {
        #expect(LiveChat.mayReassign(.supervisor(Self.meera)))
        #expect(!LiveChat.mayReassign(.agent(Self.asha)))
        #expect(Self.chat().mayResolve(by: .agent(Self.ravi)))
        #expect(Self.chat(assignee: Self.asha).mayResolve(by: .agent(Self.asha)))
        #expect(!Self.chat(assignee: Self.asha).mayResolve(by: .agent(Self.ravi)))
        #expect(Self.chat(assignee: Self.asha).mayResolve(by: .supervisor(Self.meera)))
    }

    @Test("CA-49: a customer's message starts a new chat when it is their first, their first 24 hours after their last, or the first recorded after the chat was resolved")
    func ca49StartsAfresh() {
        let last = Self.now.addingTimeInterval(-3_600)
        let talking = LiveChat(lastInbound: last, assignee: Self.asha, resolvedAt: nil, lastMessage: last)
        let resolved = LiveChat(lastInbound: last, assignee: Self.asha, resolvedAt: Self.now.addingTimeInterval(-60), lastMessage: last)
        #expect(LiveChat.startsAfresh(before: nil, messageAt: Self.now))
        #expect(!LiveChat.startsAfresh(before: talking, messageAt: Self.now))
        #expect(LiveChat.startsAfresh(before: resolved, messageAt: Self.now))
        // Recorded after the resolution but stamped before the chat's last message (delivered late): nobody saw it.
        #expect(LiveChat.startsAfresh(before: resolved, messageAt: last.addingTimeInterval(-600)))
        let idle = Self.now.addingTimeInterval(-86_400)
        #expect(LiveChat.startsAfresh(before: LiveChat(lastInbound: idle, assignee: Self.asha, lastMessage: idle), messageAt: Self.now))
        // An older message delivered late never starts a chat it predates.
        #expect(!LiveChat.startsAfresh(before: talking, messageAt: last.addingTimeInterval(-90_000)))
        // Reactions move the window, not the customer's last message: one after a day of silence keeps no chat alive,
        // and a reaction before any message is no first message.
        let reacted = LiveChat(lastInbound: Self.now.addingTimeInterval(-60), assignee: Self.asha, lastMessage: idle)
        #expect(LiveChat.startsAfresh(before: reacted, messageAt: Self.now))
        #expect(LiveChat.startsAfresh(before: LiveChat(lastInbound: Self.now.addingTimeInterval(-60), lastMessage: nil), messageAt: Self.now))
    }

    @Test("CA-49: reactions and WhatsApp's own notices start no chat; the customer's messages of any kind do")
    func ca49CustomerMessages() {
        for type in ["text", "image", "interactive", "button", "location", "audio", "document"] { #expect(LiveChat.isCustomerMessage(type: type), "\(type)") }
        for type in ["reaction", "system", "unsupported", "ephemeral"] { #expect(!LiveChat.isCustomerMessage(type: type), "\(type)") }
    }

    @Test("CA-50: an agent's template into another agent's chat, while the customer's window is open, is a reply and refused; supervisors' and other templates go")
    func ca50TemplatesIntoOwnedChats() {
        let owned = Self.chat(assignee: Self.asha)
        #expect(owned.templateRefusal(by: .agent(Self.ravi), now: Self.now) == .assignedElsewhere(Self.asha))
        #expect(owned.templateRefusal(by: .agent(Self.asha), now: Self.now) == nil)
        #expect(owned.templateRefusal(by: .supervisor(Self.meera), now: Self.now) == nil)
        #expect(Self.chat().templateRefusal(by: .agent(Self.ravi), now: Self.now) == nil, "an open chat")
        #expect(Self.chat(wroteAgo: 90_000, assignee: Self.asha).templateRefusal(by: .agent(Self.ravi), now: Self.now) == nil, "the window closed")
        #expect(Self.chat(assignee: Self.asha, resolvedAgo: 5).templateRefusal(by: .agent(Self.ravi), now: Self.now) == nil, "resolved")
    }

    @Test("CA-49: the inbox's page cursor names the last chat exactly and refuses anything else")
    func ca49InboxCursor() {
        let cursor = ChatStore.Cursor(microseconds: 1_764_620_000_123_456, key: .init(e164: "+919811100051"))
        #expect(cursor.text == "1764620000123456-919811100051")
        #expect(ChatStore.Cursor(text: cursor.text) == cursor)
        for bad in ["", "-", "12-", "-9198", "x-919811100051", "12-91x", "-5-919811100051", "12-919811100051-1", "12-1234567890123456", "+12-919811100051",
            "9223372036854775807-919811100051", "7258118400000001-919811100051",
        ] {
            #expect(ChatStore.Cursor(text: bad) == nil, "\(bad)")
        }
    }
}
