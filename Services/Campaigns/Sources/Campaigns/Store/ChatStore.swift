import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-49, CA-50, CA-58: the customers' chats on a number (their window rows), who owns each, and their journeys.
enum ChatStore {
    struct Entry: Sendable, Equatable {
        var contact: String
        var name: String?
        var chat: LiveChat
        /// CA-57: the contact's First Message tag, when they have one.
        var firstMessage: FirstMessageTag?
    }

    struct FirstMessageTag: Codable, Sendable, Equatable {
        var source: FirstMessage.Source
        var label: String?
    }

    /// A chat (`w`, its window row).
    private static let columns = "w.contact, w.contact_name, w.last_inbound_at, w.assignee, w.resolved_at, w.last_message_at"

    /// The chat without its First Message tag: every inbound webhook and every reply reads it, and neither needs the tag.
    static func find(number: UUID, company: CompanyID, contact: PhoneNumber, locking: Bool = false, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).windows w
            WHERE w.number_id = \(number) AND w.contact = \(contact.e164) AND w.company_id = \(company.uuid)
            \(unescaped: locking ? "FOR UPDATE" : "")
            """)
        return try await entries(rows).first
    }

    /// The number's chats, those the customer wrote to last first: `limit` of them after `cursor` (the last of the
    /// page before), with the cursor of the last one.
    static func list(
        number: UUID, company: CompanyID, state: LiveChat.State?, assignee: UserID?, source: FirstMessage.Source?, after cursor: Cursor?, limit: Int,
        now: Date, in transaction: Transaction
    ) async throws -> (entries: [Entry], last: Cursor?) {
        let schema = transaction.schema.rawValue
        let windowStart = now.addingTimeInterval(-ServiceWindow.length)
        // The CASE is the SQL twin of `LiveChat.state(now:)`. The cursor is exact: microseconds, as PostgreSQL keeps them.
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns), f.source, f.label, (extract(epoch FROM w.last_inbound_at) * 1000000)::int8
            FROM \(unescaped: schema).windows w
            LEFT JOIN \(unescaped: schema).first_messages f ON f.company_id = w.company_id AND f.contact = w.contact
            WHERE w.number_id = \(number) AND w.company_id = \(company.uuid)
              AND (\(state?.rawValue)::text IS NULL OR
                   CASE WHEN w.resolved_at IS NOT NULL OR w.last_inbound_at <= \(windowStart) THEN 'closed'
                        WHEN w.assignee IS NULL THEN 'open' ELSE 'assigned' END = \(state?.rawValue))
              AND (\(assignee?.uuid)::uuid IS NULL OR w.assignee = \(assignee?.uuid))
              AND (\(source?.rawValue)::text IS NULL OR f.source = \(source?.rawValue))
              AND (\(cursor?.microseconds)::int8 IS NULL
                   OR (w.last_inbound_at, w.contact) < (timestamptz 'epoch' + \(cursor?.microseconds) * interval '1 microsecond', \(cursor?.key.e164)))
            ORDER BY w.last_inbound_at DESC, w.contact DESC
            LIMIT \(limit)
            """)
        var found: [Entry] = []
        var last: Cursor?
        for try await (contact, name, lastInbound, owner, resolved, message, source, label, microseconds) in rows.decode(
            (String, String?, Date, UUID?, Date?, Date?, String?, String?, Int64).self)
        {
            found.append(Entry(
                contact: contact, name: name,
                chat: LiveChat(lastInbound: lastInbound, assignee: owner.map(UserID.init), resolvedAt: resolved, lastMessage: message),
                firstMessage: tag(source, label)))
            last = Cursor(microseconds: microseconds, key: CursorContact(e164: contact))
        }
        return (found, last)
    }

    /// A page's position: the last chat of the page before, by its last message and contact.
    typealias Cursor = PageCursor<CursorContact>

    /// A chat's contact in a page cursor: its E.164 digits, without the plus.
    struct CursorContact: PageCursorKey {
        var e164: String

        var cursorText: String { e164.filter(\.isNumber) }

        init(e164: String) { self.e164 = e164 }

        init?(cursorText: Substring) {
            guard !cursorText.isEmpty, cursorText.count <= 15, cursorText.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            e164 = "+" + cursorText
        }
    }

    /// CA-50: gives the chat to `assignee` (nil: back to the open queue); a reassigned chat is no longer resolved.
    static func assign(number: UUID, company: CompanyID, contact: PhoneNumber, to assignee: UserID?, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).windows SET assignee = \(assignee?.uuid), resolved_at = NULL
            WHERE number_id = \(number) AND contact = \(contact.e164) AND company_id = \(company.uuid)
            """)
    }

    /// CA-49: resolved now; the owner stays on record until the customer starts a new chat.
    static func resolve(number: UUID, company: CompanyID, contact: PhoneNumber, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).windows SET resolved_at = \(at)
            WHERE number_id = \(number) AND contact = \(contact.e164) AND company_id = \(company.uuid) AND resolved_at IS NULL
            """)
    }

    struct Event: Sendable, Equatable {
        var kind: ChatEventKind
        var actor: UserID?
        var assignee: UserID?
        var at: Date
    }

    /// CA-58: one step of the chat's journey.
    static func record(
        _ kind: ChatEventKind, number: UUID, company: CompanyID, contact: PhoneNumber, actor: UserID?, assignee: UserID?, at: Date,
        in transaction: Transaction
    ) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).chat_events (company_id, number_id, contact, kind, actor, assignee, at)
            VALUES (\(company.uuid), \(number), \(contact.e164), \(kind.rawValue), \(actor?.uuid), \(assignee?.uuid), \(at))
            """)
    }

    /// CA-58: the chat's journey, oldest first (the last 1,000 steps).
    static func journey(number: UUID, company: CompanyID, contact: PhoneNumber, in transaction: Transaction) async throws -> [Event] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT kind, actor, assignee, at FROM (
                SELECT id, kind, actor, assignee, at FROM \(unescaped: schema).chat_events
                WHERE number_id = \(number) AND contact = \(contact.e164) AND company_id = \(company.uuid) ORDER BY id DESC LIMIT 1000
            ) AS latest ORDER BY id
            """)
        var events: [Event] = []
        for try await (kind, actor, assignee, at) in rows.decode((String, UUID?, UUID?, Date).self) {
            guard let kind = ChatEventKind(rawValue: kind) else { continue }
            events.append(Event(kind: kind, actor: actor.map(UserID.init), assignee: assignee.map(UserID.init), at: at))
        }
        return events
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [Entry] {
        var found: [Entry] = []
        for try await (contact, name, last, assignee, resolved, message) in rows.decode((String, String?, Date, UUID?, Date?, Date?).self) {
            found.append(Entry(
                contact: contact, name: name,
                chat: LiveChat(lastInbound: last, assignee: assignee.map(UserID.init), resolvedAt: resolved, lastMessage: message)))
        }
        return found
    }

    private static func tag(_ source: String?, _ label: String?) -> FirstMessageTag? {
        source.flatMap(FirstMessage.Source.init(rawValue:)).map { FirstMessageTag(source: $0, label: label) }
    }
}
