import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-02, D-18: the last inbound message per contact and number, and the conversations the provider opened.
enum WindowStore {
    /// Every inbound message restarts the window; one arriving late never moves it back. A customer's message
    /// (`customerMessage`, CA-49) that starts a new chat also returns it to the open queue. Answers the chat as it was
    /// before this message (nil: the contact never wrote to the number), the last message now, and whether this one
    /// started a chat.
    static func extend(
        number: UUID, company: CompanyID, contact: PhoneNumber, name: String?, at: Date, customerMessage: Bool, in transaction: Transaction
    ) async throws -> (before: LiveChat?, last: Date, startsChat: Bool) {
        let schema = transaction.schema.rawValue
        // A first message inserts the row. Otherwise the row is read locked and then moved on: a second message of the
        // same contact at the same time waits for this transaction and then reads this one's window, so only one of
        // them starts a conversation (CA-53 replies once, CA-49 opens one chat).
        let inserted = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).windows (number_id, contact, company_id, last_inbound_at, contact_name, last_message_at)
            VALUES (\(number), \(contact.e164), \(company.uuid), \(at), \(name), \(customerMessage ? at : nil))
            ON CONFLICT (number_id, contact) DO NOTHING
            RETURNING last_inbound_at
            """)
        for try await date in inserted.decode(Date.self) { return (nil, date, customerMessage) }
        guard let before = try await ChatStore.find(number: number, company: company, contact: contact, locking: true, in: transaction)?.chat else {
            return (nil, at, customerMessage)
        }
        let starts = customerMessage && LiveChat.startsAfresh(before: before, messageAt: at)
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).windows SET
                last_inbound_at = GREATEST(last_inbound_at, \(at)),
                contact_name = CASE WHEN \(name)::text IS NOT NULL AND \(at) >= last_inbound_at THEN \(name) ELSE contact_name END,
                assignee = CASE WHEN \(starts) THEN NULL ELSE assignee END,
                resolved_at = CASE WHEN \(starts) THEN NULL ELSE resolved_at END,
                last_message_at = CASE WHEN \(customerMessage) THEN GREATEST(last_message_at, \(at)) ELSE last_message_at END
            WHERE number_id = \(number) AND contact = \(contact.e164) AND company_id = \(company.uuid)
            RETURNING last_inbound_at
            """)
        for try await last in rows.decode(Date.self) { return (before, last, starts) }
        return (before, at, starts)
    }

    /// Stores an inbound message once; answers false for a repeated webhook.
    static func recordInbound(
        providerID: String, number: WhatsAppNumber, contact: PhoneNumber, type: String, text: String?, at: Date, in transaction: Transaction
    ) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).inbound_messages (provider_message_id, company_id, number_id, contact, type, text, received_at)
            VALUES (\(providerID), \(number.companyID.uuid), \(number.id), \(contact.e164), \(type), \(text), \(at))
            ON CONFLICT DO NOTHING RETURNING provider_message_id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// D-18: a conversation the provider reports for the first time; answers false when it was already known.
    static func recordConversation(
        _ id: String, number: WhatsAppNumber, recipient: PhoneNumber, category: String, at: Date, in transaction: Transaction
    ) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).conversations (conversation_id, company_id, number_id, recipient, category, opened_at)
            VALUES (\(id), \(number.companyID.uuid), \(number.id), \(recipient.e164), \(category), \(at))
            ON CONFLICT DO NOTHING RETURNING conversation_id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// D-15: a conversation whose message id is not recorded yet, announced when it is (`takeEarlyConversations`).
    static func keepEarlyConversation(
        _ conversation: WhatsAppConversationOpened, company: CompanyID, providerMessageID: String, in transaction: Transaction
    ) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).early_conversations
                (conversation_id, provider_message_id, company_id, phone_number_id, recipient, category, opened_at)
            VALUES (\(conversation.conversationID), \(providerMessageID), \(company.uuid), \(conversation.phoneNumberID),
                    \(conversation.recipient.e164), \(conversation.category.rawValue), \(conversation.openedAt))
            ON CONFLICT DO NOTHING
            """)
    }

    /// Which early conversations to take: those of messages whose ids were just recorded, or those waiting longer
    /// than any send can take (their message will never have its id recorded).
    enum EarlySelection: Sendable {
        case messages([String])
        case receivedBefore(Date)
    }

    /// Removes the selected early conversations and answers them with the campaign of their message, if it is known
    /// by now.
    static func takeEarlyConversations(
        _ selection: EarlySelection, in transaction: Transaction
    ) async throws -> [(company: CompanyID, conversation: WhatsAppConversationOpened)] {
        let schema = transaction.schema.rawValue
        // The taken rows, with the campaign of their message if its id is recorded by now.
        let answer = """
            SELECT t.company_id, t.conversation_id, t.category, t.phone_number_id, t.recipient, t.opened_at, m.campaign_id
            FROM taken t LEFT JOIN \(schema).messages m ON m.provider_message_id = t.provider_message_id
            """
        let rows: PostgresRowSequence
        switch selection {
        case .messages(let ids):
            guard !ids.isEmpty else { return [] }
            rows = try await transaction.query(
                """
                WITH taken AS (DELETE FROM \(unescaped: schema).early_conversations WHERE provider_message_id = ANY(\(ids)) RETURNING *)
                \(unescaped: answer)
                """)
        case .receivedBefore(let date):
            rows = try await transaction.query(
                """
                WITH taken AS (DELETE FROM \(unescaped: schema).early_conversations WHERE received_at < \(date) RETURNING *)
                \(unescaped: answer)
                """)
        }
        var taken: [(company: CompanyID, conversation: WhatsAppConversationOpened)] = []
        for try await (company, id, category, phoneNumberID, recipient, opened, campaign) in rows.decode(
            (UUID, String, String, String, String, Date, UUID?).self)
        {
            guard let recipient = PhoneNumber(e164: recipient) else { continue }
            taken.append((CompanyID(company), WhatsAppConversationOpened(
                conversationID: id, category: WhatsAppConversationOpened.Category(rawValue: category) ?? .service, phoneNumberID: phoneNumberID,
                recipient: recipient, openedAt: opened, campaignID: campaign.map(CampaignID.init))))
        }
        return taken
    }
}
