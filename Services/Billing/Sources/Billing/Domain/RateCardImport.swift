public import Contracts

/// BI-15: rate cards are re-imported (Meta refreshes its conversation rates monthly) from a CSV with the header
/// `plan,item,rate`, rates in rupees (`0.60`). The whole file is checked before anything is stored.
public enum RateCardImport {
    public struct Row: Sendable, Hashable {
        public let plan: Plan
        public let item: RateItem
        public let rate: Money
    }

    public struct Violation: Error, Sendable, Hashable {
        /// 1-based line in the file.
        public let line: Int
        public let code: String
        public let message: String
    }

    public static let maximumRows = 1_000
    /// No unit of usage costs more: a rate above would overflow the charge of a long call or a large campaign (a trap,
    /// and every rating consumer down with it), and is a typo (paise written as rupees, a missing point) anyway.
    public static let maximumRate = Money.rupees(100_000)

    public struct Violations: Error, Sendable, Hashable {
        public let all: [Violation]
    }

    public static func parse(_ text: String) -> Result<[Row], Violations> {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { $0.trimmingCharacters() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let header = lines.first, header.lowercased().split(separator: ",").map({ $0.trimmingCharacters() }) == ["plan", "item", "rate"]
        else {
            return .failure(Violations(all: [Violation(line: 1, code: "rates.header", message: "The first line must be the header plan,item,rate.")]))
        }
        guard lines.count - 1 <= maximumRows else {
            return .failure(Violations(all: [Violation(line: maximumRows + 2, code: "rates.too_many_rows", message: "At most \(maximumRows) rates per file.")]))
        }
        var rows: [Row] = []
        var violations: [Violation] = []
        var seen: [String: Int] = [:]
        let known = Set(RateItem.all)
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let number = offset + 1
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters() }
            guard fields.count == 3 else {
                violations.append(.init(line: number, code: "rates.columns", message: "Expected 3 columns: plan,item,rate."))
                continue
            }
            guard let plan = Plan(rawValue: fields[0].lowercased()) else {
                violations.append(.init(line: number, code: "rates.plan", message: "Unknown plan \"\(fields[0])\"."))
                continue
            }
            let item = RateItem(rawValue: fields[1].lowercased())
            guard known.contains(item) else {
                violations.append(.init(line: number, code: "rates.item", message: "Unknown item \"\(fields[1])\"."))
                continue
            }
            guard let rate = Money(rupeeString: fields[2]), (Money.zero...maximumRate).contains(rate) else {
                violations.append(.init(
                    line: number, code: "rates.rate", message: "The rate must be rupees from 0 to \(maximumRate), such as 0.60, not \"\(fields[2])\"."))
                continue
            }
            let key = "\(plan.rawValue) \(item.rawValue)"
            if let first = seen[key] {
                violations.append(.init(line: number, code: "rates.duplicate", message: "\(key) is already on line \(first)."))
                continue
            }
            seen[key] = number
            rows.append(Row(plan: plan, item: item, rate: rate))
        }
        if rows.isEmpty && violations.isEmpty {
            violations.append(.init(line: 2, code: "rates.empty", message: "The file has no rates."))
        }
        return violations.isEmpty ? .success(rows) : .failure(Violations(all: violations))
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
