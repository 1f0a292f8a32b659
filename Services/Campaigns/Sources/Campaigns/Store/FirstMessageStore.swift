import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-57: each contact's First Message tag.
enum FirstMessageStore {
    struct Entry: Sendable, Equatable {
        var contact: String
        var numberID: UUID
        var tag: FirstMessage.Tag
        var taggedAt: Date
        var editedAt: Date?
        var editedBy: UserID?
    }

    private static let columns = "contact, number_id, source, label, link_id, ad_id, ad_url, click_id, tagged_at, edited_at, edited_by"

    /// Tags the contact unless they have a tag already: the first message decides, and two first messages at once
    /// (to two numbers) leave one tag. A message stamped before the one that tagged them (delivered out of order) takes
    /// its place, unless someone edited the tag.
    static func tagIfFirst(
        _ tag: FirstMessage.Tag, company: CompanyID, contact: PhoneNumber, number: UUID, at: Date, in transaction: Transaction
    ) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).first_messages
                (company_id, contact, number_id, source, label, link_id, ad_id, ad_url, click_id, tagged_at)
            VALUES (\(company.uuid), \(contact.e164), \(number), \(tag.source.rawValue), \(tag.label), \(tag.linkID), \(tag.adID), \(tag.adURL),
                    \(tag.clickID), \(at))
            ON CONFLICT (company_id, contact) DO UPDATE SET
                number_id = excluded.number_id, source = excluded.source, label = excluded.label, link_id = excluded.link_id,
                ad_id = excluded.ad_id, ad_url = excluded.ad_url, click_id = excluded.click_id, tagged_at = excluded.tagged_at
            WHERE first_messages.edited_at IS NULL AND excluded.tagged_at < first_messages.tagged_at
            """)
    }

    static func find(company: CompanyID, contact: PhoneNumber, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).first_messages WHERE company_id = \(company.uuid) AND contact = \(contact.e164)")
        return try await entries(rows).first
    }

    /// CA-57: the one way a tag changes: someone edits its source and label. The ad's or link's details stay only while
    /// the source does (a tag edited to another source names no ad or link). Answers the tag after the edit, nil when
    /// the contact has none.
    static func edit(
        company: CompanyID, contact: PhoneNumber, source: FirstMessage.Source, label: String?, by user: UserID, at: Date, in transaction: Transaction
    ) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).first_messages SET
                link_id = CASE WHEN source = \(source.rawValue) THEN link_id END, ad_id = CASE WHEN source = \(source.rawValue) THEN ad_id END,
                ad_url = CASE WHEN source = \(source.rawValue) THEN ad_url END, click_id = CASE WHEN source = \(source.rawValue) THEN click_id END,
                source = \(source.rawValue), label = \(label), edited_at = \(at), edited_by = \(user.uuid)
            WHERE company_id = \(company.uuid) AND contact = \(contact.e164)
            RETURNING \(unescaped: columns)
            """)
        return try await entries(rows).first
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [Entry] {
        var found: [Entry] = []
        for try await row in rows {
            let (contact, number, source, label, link, ad, url, click, tagged, edited, editor) = try row.decode(
                (String, UUID, String, String?, UUID?, String?, String?, String?, Date, Date?, UUID?).self)
            found.append(Entry(
                contact: contact, numberID: number,
                tag: FirstMessage.Tag(
                    source: FirstMessage.Source(rawValue: source) ?? .direct, label: label, linkID: link, adID: ad, adURL: url, clickID: click),
                taggedAt: tagged, editedAt: edited, editedBy: editor.map(UserID.init)))
        }
        return found
    }
}
