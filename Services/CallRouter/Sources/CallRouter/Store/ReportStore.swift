import Contracts
import Foundation
import PostgresNIO
import Storage

/// call metrics summed per group in the database, over ended calls only, with the same role scope as the log.
enum ReportStore {
    struct Row: Sendable {
        /// The department or user id, or the number; nil for calls without one (a call nobody was routed to).
        var key: String?
        var name: String?
        var metrics: CallReport.Metrics
    }

    static func calls(
        company: CompanyID, grouping: CallReport.Grouping, from: Date, to: Date, direction: CallCompleted.Direction?, scope: CallLogFilter,
        in transaction: Transaction
    ) async throws -> [Row] {
        let schema = transaction.schema.rawValue
        let (key, name, join): (String, String, String) = switch grouping {
        case .department:
            ("c.department_id::text", "d.name", "LEFT JOIN \(schema).departments d ON d.company_id = c.company_id AND d.id = c.department_id")
        case .user:
            ("c.agent_id::text", "u.name", "LEFT JOIN \(schema).users u ON u.company_id = c.company_id AND u.id = c.agent_id")
        case .number:
            ("c.did", "NULL::text", "")
        }
        let departments = scope.onlyDepartments?.map(\.uuid)
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: key) AS key, min(\(unescaped: name)) AS name, count(*)::int AS calls,
                   (count(*) FILTER (WHERE c.outcome = 'connected'))::int AS answered,
                   (count(*) FILTER (WHERE c.outcome IN ('missed', 'voicemail') AND c.state->>'missedCallService' IS NULL))::int AS unanswered,
                   COALESCE(sum(round(extract(epoch FROM c.ended_at - c.answered_at)))
                       FILTER (WHERE c.outcome = 'connected' AND c.ended_at > c.answered_at), 0)::bigint AS on_call
            FROM \(unescaped: schema).calls c \(unescaped: join)
            WHERE c.company_id = \(company.uuid) AND c.outcome IS NOT NULL
              AND c.started_at >= \(from) AND c.started_at < \(to)
              AND (\(direction?.rawValue)::text IS NULL OR c.direction = \(direction?.rawValue))
              AND (\(scope.onlyAgent?.uuid)::uuid IS NULL OR c.agent_id = \(scope.onlyAgent?.uuid)
                   OR (\(departments)::uuid[] IS NOT NULL AND c.department_id = ANY(\(departments))))
            GROUP BY 1 ORDER BY 3 DESC, 1
            """)
        var result: [Row] = []
        for try await (key, name, calls, answered, unanswered, onCall) in rows.decode((String?, String?, Int, Int, Int, Int).self) {
            result.append(Row(
                key: key, name: name, metrics: CallReport.Metrics(calls: calls, answered: answered, unanswered: unanswered, onCallSeconds: onCall)))
        }
        return result
    }
}
