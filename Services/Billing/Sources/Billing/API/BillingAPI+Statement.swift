import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension BillingAPI {
    /// BI-35: one calendar month (company time zone) of the wallet: opening balance, recharges, usage by kind,
    /// number rentals, credits, closing balance, and the invoices and credit notes issued in it.
    struct StatementView: ResponseCodable {
        var month: String
        var openingBalance: Money
        var recharges: Money
        var usage: [String: Money]
        var rentals: Money
        var credits: Money
        var closingBalance: Money
        var invoices: [InvoiceView]

        enum CodingKeys: String, CodingKey {
            case month, recharges, usage, rentals, credits, invoices
            case openingBalance = "opening_balance"
            case closingBalance = "closing_balance"
        }
    }

    @Sendable func statement(_ request: Request, context: AppRequestContext) async throws -> StatementView {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        guard let text = request.uri.queryParameters.get("month"), let month = Self.calendarMonth(text) else {
            throw APIError.badRequest("request.field_invalid", "month must be a calendar month such as 2026-11.", field: "month")
        }
        let zone = try await database.withTransaction { try await AccountStore.read(company, in: $0).timeZone }
        guard let (start, end) = Self.range(of: month, timeZone: zone) else {
            throw APIError.badRequest("request.field_invalid", "month must be a calendar month such as 2026-11.", field: "month")
        }
        let totals = try await LedgerStore.walletTotals(company: company, from: start, to: end, in: database)
        var view = StatementView(
            month: String(text), openingBalance: totals.opening, recharges: .zero, usage: [:], rentals: .zero, credits: .zero,
            closingBalance: totals.opening, invoices: [])
        for (kind, effect) in totals.byKind {
            view.closingBalance = view.closingBalance + effect
            switch kind {
            case "payment": view.recharges = view.recharges + effect
            case "did_rental": view.rentals = view.rentals - effect
            case "credit_note": view.credits = view.credits + effect
            default: view.usage[kind] = (view.usage[kind] ?? .zero) - effect
            }
        }
        view.invoices = try await InvoiceStore.issued(company: company, from: start, to: end, in: database).map(InvoiceView.init)
        return view
    }

    /// `yyyy-MM` → the month's first instant and the next month's, in the company time zone (D-29).
    static func month(_ text: String, timeZone: TimeZone) -> (Date, Date)? {
        calendarMonth(text).flatMap { range(of: $0, timeZone: timeZone) }
    }

    /// `yyyy-MM` → its year and month, years 2000 to 2100.
    static func calendarMonth(_ text: String) -> (year: Int, month: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, text.allSatisfy({ $0.isNumber || $0 == "-" }), let year = Int(parts[0]), let month = Int(parts[1]),
            (2000...2100).contains(year), (1...12).contains(month)
        else { return nil }
        return (year, month)
    }

    static func range(of month: (year: Int, month: Int), timeZone: TimeZone) -> (Date, Date)? {
        let calendar = Calendar.gregorian(in: timeZone)
        guard let start = calendar.date(from: DateComponents(year: month.year, month: month.month, day: 1)),
            let end = calendar.date(byAdding: .month, value: 1, to: start)
        else { return nil }
        return (start, end)
    }
}
