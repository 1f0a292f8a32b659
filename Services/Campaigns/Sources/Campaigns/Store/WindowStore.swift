import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-02, D-18: the last inbound message per contact and number, and the conversations the provider opened.
enum WindowStore {
    static func lastInbound(number: UUID, contact: PhoneNumber, in transaction: Transaction) async throws -> Date? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT last_inbound_at FROM \(unescaped: schema).windows WHERE number_id = \(number) AND contact = \(contact.e164)")
        for try await date in rows.decode(Date.self) { return date }
        return nil
    }

    /// Every inbound message restarts the window; one arriving late never moves it back.
    static func extend(number: UUID, company: CompanyID, contact: PhoneNumber, at: Date, in transaction: Transaction) async throws -> Date {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).windows (number_id, contact, company_id, last_inbound_at)
            VALUES (\(number), \(contact.e164), \(company.uuid), \(at))
            ON CONFLICT (number_id, contact) DO UPDATE SET last_inbound_at = GREATEST(windows.last_inbound_at, excluded.last_inbound_at)
            RETURNING last_inbound_at
            """)
        for try await date in rows.decode(Date.self) { return date }
        return at
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
}
