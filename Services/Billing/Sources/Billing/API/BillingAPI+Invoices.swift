import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension BillingAPI {
    /// BI-30: the last 12 invoices and credit notes.
    @Sendable func invoices(_ request: Request, context: AppRequestContext) async throws -> Page<InvoiceView> {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        return Page(items: try await InvoiceStore.recent(company: company, in: database).map(InvoiceView.init), next: nil)
    }

    @Sendable func invoice(_ request: Request, context: AppRequestContext) async throws -> InvoiceView {
        InvoiceView(try await findInvoice(context))
    }

    /// The invoice as a document a person can read and print (HTML; the browser prints it to PDF).
    @Sendable func invoiceDocument(_ request: Request, context: AppRequestContext) async throws -> Response {
        let invoice = try await findInvoice(context)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: InvoiceHTML.render(invoice))))
    }

    private func findInvoice(_ context: AppRequestContext) async throws -> Invoice {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        let id = try context.id("id", as: InvoiceID.self)
        guard let invoice = try await InvoiceStore.find(id, company: company, in: database) else { throw APIError.notFound("invoice") }
        return invoice
    }
}

/// Renders an invoice or credit note as a self-contained HTML page; every value is escaped.
enum InvoiceHTML {
    static func render(_ invoice: Invoice) -> String {
        let title = invoice.kind == .invoice ? "Tax Invoice" : "Credit Note"
        let rows = invoice.document.lines.map { line in
            "<tr><td>\(escape(line.description))</td><td class=n>\(line.quantity)</td><td class=n>\(rupees(line.amount))</td></tr>"
        }.joined(separator: "\n")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title) \(escape(invoice.number))</title>
            <style>body{font-family:sans-serif;max-width:720px;margin:2em auto}table{width:100%;border-collapse:collapse}
            td,th{border-bottom:1px solid #ccc;padding:6px;text-align:left}.n{text-align:right}</style></head>
            <body>
            <h1>\(title)</h1>
            <p><strong>\(escape(invoice.number))</strong> · issued \(Timestamp.format(invoice.issuedAt).prefix(10))</p>
            <p>Billed to: \(escape(invoice.billingName ?? "—"))\(invoice.gstin.map { "<br>GSTIN: \(escape($0))" } ?? "")</p>
            <table><thead><tr><th>Description</th><th class=n>Qty</th><th class=n>Amount</th></tr></thead>
            <tbody>
            \(rows)
            </tbody>
            <tfoot>
            <tr><td colspan=2>Taxable value</td><td class=n>\(rupees(invoice.document.taxable))</td></tr>
            <tr><td colspan=2>GST @ 18%</td><td class=n>\(rupees(invoice.document.gst))</td></tr>
            <tr><th colspan=2>Total</th><th class=n>\(rupees(invoice.document.total))</th></tr>
            </tfoot></table>
            </body></html>
            """
    }

    static func rupees(_ money: Money) -> String { "₹" + money.rupeeString }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
