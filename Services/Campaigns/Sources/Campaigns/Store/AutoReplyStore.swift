import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-53: each number's automatic replies.
enum AutoReplyStore {
    static func find(number: UUID, in transaction: Transaction) async throws -> AutoReply {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT greeting_id, away_id, chatbot_active FROM \(unescaped: schema).auto_replies WHERE number_id = \(number)")
        for try await (greeting, away, chatbot) in rows.decode((UUID?, UUID?, Bool).self) {
            return AutoReply(greetingID: greeting, awayID: away, chatbotActive: chatbot)
        }
        return .off
    }

    /// Saves the settings; the canned messages they name must be the company's and are locked against deletion
    /// for the rest of the transaction. Answers the id that is not the company's, if one is not.
    static func save(_ reply: AutoReply, number: UUID, company: CompanyID, in transaction: Transaction) async throws -> UUID? {
        let schema = transaction.schema.rawValue
        for id in [reply.greetingID, reply.awayID].compactMap({ $0 }) {
            let rows = try await transaction.query(
                "SELECT 1 FROM \(unescaped: schema).canned_messages WHERE id = \(id) AND company_id = \(company.uuid) FOR SHARE")
            var found = false
            for try await _ in rows { found = true }
            if !found { return id }
        }
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).auto_replies (number_id, company_id, greeting_id, away_id, chatbot_active)
            VALUES (\(number), \(company.uuid), \(reply.greetingID), \(reply.awayID), \(reply.chatbotActive))
            ON CONFLICT (number_id) DO UPDATE SET greeting_id = excluded.greeting_id, away_id = excluded.away_id,
                chatbot_active = excluded.chatbot_active, updated_at = now()
            """)
        return nil
    }
}
