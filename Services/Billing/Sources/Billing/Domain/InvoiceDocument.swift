public import Contracts

/// D-22: the money side of an invoice or a credit note: its lines, the taxable total, GST at 18 %, and the total.
public struct InvoiceDocument: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case invoice
        case creditNote = "credit_note"

        /// Invoices and credit notes are numbered in separate gapless series per company.
        public func number(_ sequence: Int) -> String {
            let digits = String(sequence)
            return (self == .invoice ? "INV-" : "CN-") + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
    }

    public struct Line: Sendable, Hashable, Codable {
        public var description: String
        public var quantity: Int64
        public var amount: Money

        public init(description: String, quantity: Int64, amount: Money) {
            self.description = description
            self.quantity = quantity
            self.amount = amount
        }
    }

    public let lines: [Line]
    public let taxable: Money
    public let gst: Money
    public let total: Money

    public init(lines: [Line]) {
        self.lines = lines
        self.taxable = lines.reduce(.zero) { $0 + $1.amount }
        self.gst = Tax.gst(on: taxable)
        self.total = taxable + gst
    }
}
