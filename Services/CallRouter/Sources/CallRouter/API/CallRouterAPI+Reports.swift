import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// `GET /v1/reports/calls`: call volume, answer rate and on-call time per department, user or number, over a
/// time frame of the company's days, scoped like the call log (X-04, D-27).
extension CallRouterAPI {
    struct ReportQuery: Sendable {
        var grouping: CallReport.Grouping = .department
        var period: CallReport.Period? = .today
        var from: Date?
        var to: Date?
        var direction: CallCompleted.Direction?
    }

    struct ReportView: ResponseEncodable {
        struct Group: Encodable {
            var key: String?
            var name: String?
            var metrics: MetricsView
        }

        struct MetricsView: Encodable {
            var calls: Int
            var answered: Int
            var unanswered: Int
            var answerRate: Double?
            var onCallSeconds: Int
            var averageTalkSeconds: Int?

            /// `rated`: whether the group's answer rate means something (`CallReport.Grouping.ratesAnswers`).
            init(_ metrics: CallReport.Metrics, rated: Bool = true) {
                calls = metrics.calls
                answered = metrics.answered
                unanswered = metrics.unanswered
                answerRate = rated ? metrics.answerRatePercent : nil
                onCallSeconds = metrics.onCallSeconds
                averageTalkSeconds = metrics.averageTalkSeconds
            }

            enum CodingKeys: String, CodingKey {
                case calls, answered, unanswered
                case answerRate = "answer_rate"
                case onCallSeconds = "on_call_seconds"
                case averageTalkSeconds = "average_talk_seconds"
            }
        }

        var groupBy: CallReport.Grouping.RawValue
        var period: String?
        var from: Date
        var to: Date
        var timeZone: String
        var totals: MetricsView
        var groups: [Group]

        enum CodingKeys: String, CodingKey {
            case period, from, to, totals, groups
            case groupBy = "group_by"
            case timeZone = "time_zone"
        }
    }

    @Sendable func callReport(_ request: Request, context: AppRequestContext) async throws -> ReportView {
        let identity = try await authorize(context, "reports.read", roles: Self.callingRoles)
        let query = try Self.reportQuery(request.uri.queryParameters)
        let now = Date()
        return try await database.withTransaction { transaction in
            let settings = try await CompanyStore.read(identity.companyID, in: transaction)
            let range: (from: Date, to: Date) = query.period.map { $0.range(now: now, zone: settings.zone) } ?? (query.from ?? now, query.to ?? now)
            var visible = CallLogFilter()
            try await scope(&visible, identity, in: transaction)
            let rows = try await ReportStore.calls(
                company: identity.companyID, grouping: query.grouping, from: range.from, to: range.to, direction: query.direction, scope: visible,
                in: transaction)
            return ReportView(
                groupBy: query.grouping.rawValue, period: query.period?.rawValue, from: range.from, to: range.to, timeZone: settings.timeZone,
                totals: ReportView.MetricsView(rows.map(\.metrics).reduce(.zero, +)),
                groups: rows.map {
                    ReportView.Group(key: $0.key, name: $0.name, metrics: ReportView.MetricsView($0.metrics, rated: query.grouping.ratesAnswers))
                })
        }
    }

    static func reportQuery(_ parameters: some Sequence<(key: Substring, value: Substring)>) throws -> ReportQuery {
        var query = ReportQuery()
        var explicit = false
        for (key, value) in parameters {
            let text = String(value)
            func bad(_ message: String) -> APIError { APIError.badRequest("request.query_invalid", message, field: String(key)) }
            switch key {
            case "group_by":
                guard let grouping = CallReport.Grouping(rawValue: text) else { throw bad("group_by is department, user or number.") }
                query.grouping = grouping
            case "period":
                guard let period = CallReport.Period(rawValue: text) else { throw bad("period is today, yesterday, last_7_days or this_month.") }
                query.period = period
            case "from", "to":
                guard let date = Timestamp.parse(text) else { throw bad("\(key) must be an ISO-8601 timestamp such as 2026-11-28T00:00:00Z.") }
                if key == "from" { query.from = date } else { query.to = date }
                explicit = true
            case "direction":
                guard let direction = CallCompleted.Direction(rawValue: text) else { throw bad("direction is inbound or outbound.") }
                query.direction = direction
            default:
                // As in the call log: other parameters are ignored.
                continue
            }
        }
        guard explicit else { return query }
        // An explicit range replaces the time-frame chip; both at once would say two things.
        if parameters.contains(where: { $0.key == "period" }) {
            throw APIError.badRequest("request.query_invalid", "Give either period or from and to, not both.", field: "period")
        }
        guard let from = query.from, let to = query.to else {
            throw APIError.badRequest("request.query_invalid", "from and to go together.", field: query.from == nil ? "from" : "to")
        }
        guard from < to else { throw APIError.badRequest("request.query_invalid", "from must be before to.", field: "from") }
        guard to.timeIntervalSince(from) <= Double(CallReport.maximumDays) * 86_400 else {
            throw APIError.badRequest(
                "request.query_invalid", "A report covers at most \(CallReport.maximumDays) days; export the call log for longer ranges.", field: "to")
        }
        query.period = nil
        return query
    }
}
