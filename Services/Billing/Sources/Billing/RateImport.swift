import Foundation
public import Storage

/// BI-15: the operator's re-import of rate cards from CSV (`billing import-rates FILE`). Rates are platform
/// data, not a customer's, so there is no customer API for them; the command runs next to the service with
/// the service's own configuration.
public enum RateImport {
    public enum Outcome: Sendable, Equatable {
        case imported(Int)
        case refused([String])
    }

    /// Checks the whole file, then upserts every row in one transaction; nothing is stored if any line is wrong.
    public static func run(csv: String, database: Database) async throws -> Outcome {
        switch RateCardImport.parse(csv) {
        case .failure(let violations):
            return .refused(violations.all.map { "line \($0.line): \($0.code): \($0.message)" })
        case .success(let rows):
            try await database.withTransaction { try await RateCardStore.save(rows, in: $0) }
            return .imported(rows.count)
        }
    }

    /// The command line: reads the file, imports, prints the outcome; the exit code says whether it worked.
    public static func main(path: String) async -> Int32 {
        do {
            let csv = try String(contentsOfFile: path, encoding: .utf8)
            let outcome = try await OperatorDatabase.with(label: "billing.import-rates") { try await run(csv: csv, database: $0) }
            switch outcome {
            case .imported(let count):
                print("imported \(count) rates from \(path)")
                return 0
            case .refused(let problems):
                FileHandle.standardError.write(Data((["nothing imported:"] + problems).joined(separator: "\n").utf8 + [10]))
                return 1
            }
        } catch {
            FileHandle.standardError.write(Data("import-rates failed: \(error)\n".utf8))
            return 2
        }
    }
}
