import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-53: each number's automatic replies.
enum AutoReplyStore {
    static func find(number: UUID, company: CompanyID, in transaction: Transaction) async throws -> AutoReply {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT greeting_id, away_id, chatbot_active FROM \(unescaped: schema).auto_replies
            WHERE number_id = \(number) AND company_id = \(company.uuid)
            """)
        for try await (greeting, away, chatbot) in rows.decode((UUID?, UUID?, Bool).self) {
            return AutoReply(greetingID: greeting, awayID: away, chatbotActive: chatbot)
        }
        return .off
    }

    enum Saved: Sendable, Equatable {
        case saved(AutoReply)
        /// This id is no canned message of the company.
        case unknown(UUID)
    }

    /// Saves the replies, and the chatbot flag when given (nil keeps it as the row has it now); the canned messages
    /// must be the company's and are locked against deletion for the rest of the transaction.
    static func save(
        greetingID: UUID?, awayID: UUID?, chatbotActive: Bool?, number: UUID, company: CompanyID, in transaction: Transaction
    ) async throws -> Saved {
        let schema = transaction.schema.rawValue
        for id in [greetingID, awayID].compactMap({ $0 }) {
            let rows = try await transaction.query(
                "SELECT 1 FROM \(unescaped: schema).canned_messages WHERE id = \(id) AND company_id = \(company.uuid) FOR SHARE")
            var found = false
            for try await _ in rows { found = true }
            if !found { return .unknown(id) }
        }
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).auto_replies (number_id, company_id, greeting_id, away_id, chatbot_active)
            VALUES (\(number), \(company.uuid), \(greetingID), \(awayID), \(chatbotActive ?? false))
            ON CONFLICT (number_id) DO UPDATE SET greeting_id = excluded.greeting_id, away_id = excluded.away_id,
                chatbot_active = COALESCE(\(chatbotActive)::boolean, auto_replies.chatbot_active), updated_at = now()
            RETURNING greeting_id, away_id, chatbot_active
            """)
        for try await (greeting, away, chatbot) in rows.decode((UUID?, UUID?, Bool).self) {
            return .saved(AutoReply(greetingID: greeting, awayID: away, chatbotActive: chatbot))
        }
        return .saved(AutoReply(greetingID: greetingID, awayID: awayID, chatbotActive: chatbotActive ?? false))
    }
}
