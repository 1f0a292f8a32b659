import Contracts
import Foundation
import PostgresNIO
import Storage

/// An uploaded audience (D-13) without its contacts.
struct StoredAudience: Sendable {
    var id: UUID
    var companyID: CompanyID
    var filename: String
    var columns: [String]
    var totalRows: Int
    var validRows: Int
    var skipped: [SkippedRow]
    var createdAt: Date
}

/// One contact as a campaign reads it.
struct AudienceContact: Sendable {
    var position: Int
    var phone: PhoneNumber
    var name: String
    var row: Int
    var values: [String: String]

    /// The contact as the variable mapping reads it.
    var recipient: AudienceRecipient { AudienceRecipient(row: row, phone: phone, name: name, values: values) }
}

enum AudienceStore {
    /// Stores the audience and its contacts in upload order (D-16 sends the first ones) with one bulk insert.
    static func insert(
        id: UUID, company: CompanyID, filename: String, result: AudienceImportResult, in transaction: Transaction
    ) async throws -> StoredAudience {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).audiences (id, company_id, filename, columns, total_rows, valid_rows, skipped)
            VALUES (\(id), \(company.uuid), \(filename), \(result.columns), \(result.totalRows), \(result.recipients.count),
                    \(try JSONText.encode(result.skipped))::jsonb)
            RETURNING created_at
            """)
        var created = Date()
        for try await date in rows.decode(Date.self) { created = date }
        let recipients = result.recipients
        if !recipients.isEmpty {
            let values = try recipients.map { try JSONText.encode($0.values) }
            try await transaction.query(
                """
                INSERT INTO \(unescaped: schema).audience_contacts (audience_id, position, phone, name, row_number, "values")
                SELECT \(id), c.position, c.phone, c.name, c.row_number, c.values::jsonb
                FROM unnest(\(Array(1...recipients.count)), \(recipients.map(\.phone.e164)), \(recipients.map(\.name)),
                            \(recipients.map(\.row)), \(values)) AS c(position, phone, name, row_number, values)
                """)
        }
        return StoredAudience(
            id: id, companyID: company, filename: filename, columns: result.columns, totalRows: result.totalRows,
            validRows: recipients.count, skipped: result.skipped, createdAt: created)
    }

    static func find(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> StoredAudience? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT id, company_id, filename, columns, total_rows, valid_rows, skipped::text, created_at
            FROM \(unescaped: schema).audiences WHERE id = \(id) AND company_id = \(company.uuid)
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, in transaction: Transaction) async throws -> [StoredAudience] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT id, company_id, filename, columns, total_rows, valid_rows, skipped::text, created_at
            FROM \(unescaped: schema).audiences WHERE company_id = \(company.uuid) ORDER BY created_at DESC, id LIMIT 200
            """)
        var audiences: [StoredAudience] = []
        for try await row in rows { audiences.append(try decode(row)) }
        return audiences
    }

    static func contacts(_ id: UUID, from first: Int = 1, limit: Int, in transaction: Transaction) async throws -> [AudienceContact] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT position, phone, name, row_number, "values"::text FROM \(unescaped: schema).audience_contacts
            WHERE audience_id = \(id) AND position >= \(first) ORDER BY position LIMIT \(limit)
            """)
        var contacts: [AudienceContact] = []
        for try await (position, phone, name, row, values) in rows.decode((Int, String, String, Int, String).self) {
            guard let number = PhoneNumber(e164: phone) else { continue }
            contacts.append(AudienceContact(
                position: position, phone: number, name: name, row: row, values: try JSONText.decode([String: String].self, from: values)))
        }
        return contacts
    }

    static func decode(_ row: PostgresRow) throws -> StoredAudience {
        let (id, company, filename, columns, total, valid, skipped, created) = try row.decode(
            (UUID, UUID, String, [String], Int, Int, String, Date).self)
        return StoredAudience(
            id: id, companyID: CompanyID(company), filename: filename, columns: columns, totalRows: total, validRows: valid,
            skipped: try JSONText.decode([SkippedRow].self, from: skipped), createdAt: created)
    }
}
