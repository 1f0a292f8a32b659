import Contracts
import Foundation
import PostgresNIO
import Storage

struct Invoice: Sendable {
    var id: InvoiceID
    var companyID: CompanyID
    var kind: InvoiceDocument.Kind
    var number: String
    var reason: String
    var source: String
    var billingName: String?
    var gstin: String?
    var document: InvoiceDocument
    var issuedAt: Date
}

/// D-22, BI-26: invoices and credit notes, numbered without gaps per company and kind, frozen once issued
/// (BI-28: a later billing-name change shows on the next invoice, never on past ones).
enum InvoiceStore {
    /// Issues a document unless one already exists for `source` (then returns that one), and enqueues
    /// `billing.invoice.issued`. The number comes from a counter row locked until the transaction ends, so two
    /// concurrent invoices of one company never share or skip a number.
    @discardableResult
    static func issue(
        kind: InvoiceDocument.Kind, reason: String, source: String, lines: [InvoiceDocument.Line], account: Account, outbox: Outbox,
        now: Date = Date(), in transaction: Transaction
    ) async throws -> Invoice {
        let schema = transaction.schema.rawValue
        if let existing = try await find(source: source, company: account.companyID, in: transaction) { return existing }
        let counter = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).document_numbers (company_id, kind, last_number)
            VALUES (\(account.companyID.uuid), \(kind.rawValue), 1)
            ON CONFLICT (company_id, kind) DO UPDATE SET last_number = \(unescaped: schema).document_numbers.last_number + 1
            RETURNING last_number
            """)
        var sequence = 1
        for try await value in counter.decode(Int.self) { sequence = value }
        let document = InvoiceDocument(lines: lines)
        let invoice = Invoice(
            id: InvoiceID(), companyID: account.companyID, kind: kind, number: kind.number(sequence), reason: reason, source: source,
            billingName: account.billingName, gstin: account.gstin, document: document, issuedAt: now)
        let linesJSON = String(decoding: try JSONCoding.encoder().encode(document.lines), as: UTF8.self)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).invoices
                (id, company_id, kind, number, reason, source, billing_name, gstin, lines, taxable, gst, total, issued_at)
            VALUES (\(invoice.id.uuid), \(invoice.companyID.uuid), \(kind.rawValue), \(invoice.number), \(reason), \(source),
                    \(invoice.billingName), \(invoice.gstin), \(linesJSON)::jsonb, \(document.taxable.paise), \(document.gst.paise),
                    \(document.total.paise), \(now))
            """)
        let issued = InvoiceIssued(
            invoiceID: invoice.id, number: invoice.number, kind: kind == .invoice ? .invoice : .creditNote, reason: reason,
            taxable: document.taxable, gst: document.gst, total: document.total, issuedAt: now)
        try await outbox.enqueue(Envelope(companyID: account.companyID, occurredAt: now, correlationID: source, data: issued), in: transaction)
        return invoice
    }

    static let columns = "id, company_id, kind, number, reason, source, billing_name, gstin, lines::text, issued_at"

    static func find(source: String, company: CompanyID, in transaction: Transaction) async throws -> Invoice? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).invoices WHERE company_id = \(company.uuid) AND source = \(source)
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func find(_ id: InvoiceID, company: CompanyID, in database: Database) async throws -> Invoice? {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).invoices WHERE company_id = \(company.uuid) AND id = \(id.uuid)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// BI-30: the customer sees the last 12 documents.
    static func recent(company: CompanyID, limit: Int = 12, in database: Database) async throws -> [Invoice] {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).invoices
            WHERE company_id = \(company.uuid) ORDER BY issued_at DESC, number DESC LIMIT \(limit)
            """)
        var invoices: [Invoice] = []
        for try await row in rows { invoices.append(try decode(row)) }
        return invoices
    }

    static func decode(_ row: PostgresRow) throws -> Invoice {
        let (id, company, kind, number, reason, source, name, gstin, lines, issued) = try row.decode(
            (UUID, UUID, String, String, String, String, String?, String?, String, Date).self)
        let decoded = try JSONCoding.decoder().decode([InvoiceDocument.Line].self, from: Data(lines.utf8))
        return Invoice(
            id: InvoiceID(id), companyID: CompanyID(company), kind: InvoiceDocument.Kind(rawValue: kind) ?? .invoice, number: number,
            reason: reason, source: source, billingName: name, gstin: gstin, document: InvoiceDocument(lines: decoded), issuedAt: issued)
    }
}

extension InvoiceStore {
    static func issued(company: CompanyID, from: Date, to: Date, in database: Database) async throws -> [Invoice] {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).invoices
            WHERE company_id = \(company.uuid) AND issued_at >= \(from) AND issued_at < \(to) ORDER BY issued_at, number
            """)
        var invoices: [Invoice] = []
        for try await row in rows { invoices.append(try decode(row)) }
        return invoices
    }
}

extension InvoiceStore {
    /// The taxable value of a company's invoice (not credit note) by number.
    static func taxable(number: String, company: CompanyID, in transaction: Transaction) async throws -> Money? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT taxable FROM \(unescaped: schema).invoices
            WHERE company_id = \(company.uuid) AND kind = 'invoice' AND number = \(number)
            """)
        for try await taxable in rows.decode(Int64.self) { return Money(paise: taxable) }
        return nil
    }
}
