public import Contracts
import Foundation
public import Storage

/// BI-36: support corrects an invoice with a credit note (`billing credit-note COMPANY INVOICE AMOUNT REASON`):
/// at most the invoice's taxable value, credited to the wallet, once per invoice.
public enum CorrectionCommand {
    public enum Outcome: Sendable, Equatable {
        case issued(number: String)
        case refused(String)
    }

    public static func run(
        company: CompanyID, invoiceNumber: String, amount: Money, reason: String, database: Database
    ) async throws -> Outcome {
        guard amount > .zero else { return .refused("the amount must be above zero") }
        guard !reason.trimmingCharacters().isEmpty else { return .refused("say what was wrong and how it is fixed") }
        let outbox = Outbox(schema: database.schema)
        return try await database.withTransaction { transaction in
            guard let taxable = try await InvoiceStore.taxable(number: invoiceNumber, company: company, in: transaction) else {
                return .refused("company \(company) has no invoice \(invoiceNumber)")
            }
            guard amount <= taxable else { return .refused("a correction of \(invoiceNumber) can give back at most \(taxable)") }
            let note = try await CreditNotes.issue(
                company: company, amount: amount, description: "Correction of \(invoiceNumber): \(reason)", reason: "correction",
                source: "credit_note:correction:\(invoiceNumber)", outbox: outbox, in: transaction)
            guard let note else { return .refused("\(invoiceNumber) was already corrected") }
            return .issued(number: note.number)
        }
    }

    public static func main(arguments: [String]) async -> Int32 {
        guard arguments.count == 4, let company = CompanyID(arguments[0]), let amount = Money(rupeeString: arguments[2]) else {
            FileHandle.standardError.write(Data("usage: billing credit-note COMPANY_ID INVOICE_NUMBER AMOUNT_RUPEES REASON\n".utf8))
            return 2
        }
        do {
            let outcome = try await OperatorDatabase.with(label: "billing.credit-note") {
                try await run(company: company, invoiceNumber: arguments[1], amount: amount, reason: arguments[3], database: $0)
            }
            switch outcome {
            case .issued(let number):
                print("issued credit note \(number)")
                return 0
            case .refused(let why):
                FileHandle.standardError.write(Data("nothing issued: \(why)\n".utf8))
                return 1
            }
        } catch {
            FileHandle.standardError.write(Data("credit-note failed: \(error)\n".utf8))
            return 2
        }
    }
}
