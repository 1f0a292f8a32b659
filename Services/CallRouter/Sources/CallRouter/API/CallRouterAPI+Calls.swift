import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

extension CallRouterAPI {
    /// X-17: rows per export file; a larger range continues with `before` from the `X-Next-Before` header.
    static let exportRows = 50_000

    /// CR-76, CR-77, CR-84: click-to-call rings the agent's phone first, then the customer; a web call dials the
    /// customer from the browser. The answer carries the instructions for the switch.
    @Sendable func outbound(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try await authorize(context, "calls.outbound", roles: Self.callingRoles)
        let body = try await request.decode(as: OutboundRequest.self, context: context)
        var callerID: PhoneNumber?
        if let text = body.callerID {
            guard let number = PhoneNumber(e164: text) else {
                throw APIError.unprocessable("did.invalid", "The caller ID must be one of your numbers in E.164 form.", field: "caller_id")
            }
            callerID = number
        }
        let method = body.method ?? .clickToCall
        let outbound: CallControl.Outbound
        switch (body.customer, body.callbackOf) {
        case (let text?, nil):
            guard let customer = PhoneNumber(e164: text) else {
                throw APIError.unprocessable(
                    "call.customer.invalid", "The customer number must be in E.164 form, such as +919876543210 (CR-77).", field: "customer")
            }
            outbound = CallControl.Outbound(customer: customer, callerID: callerID, method: method, at: Date())
        case (nil, let uid?):
            let (call, _) = try await database.withTransaction { try await visibleCall(uid, identity, in: $0) }
            outbound = try CallMasking.callback(of: call, callerID: callerID, method: method, at: Date()).mapError { $0.apiError }.get()
        default:
            throw APIError.badRequest(
                "call.customer.ambiguous", "Send either customer (a number) or callback_of (a call's uid).", field: "customer")
        }
        let answer = try await control.outbound(outbound, by: identity)
        return SwitchAPI.json(answer, status: .created)
    }

    /// CR-53, CR-58, X-04: the call log, newest first, filtered and scoped to what the caller may see.
    @Sendable func calls(_ request: Request, context: AppRequestContext) async throws -> Page<CallLogView> {
        let identity = try await authorize(context, "logs.read", roles: Self.callingRoles)
        var filter = try Self.filter(request.uri.queryParameters)
        return try await Self.companyClock {
            try await database.withTransaction { transaction in
                try await scope(&filter, identity, in: transaction)
                let calls = try await CallStore.list(company: identity.companyID, filter: filter, in: transaction)
                let next = calls.count == filter.limit ? calls.last.map { Timestamp.format($0.startedAt) + "|" + $0.uid.description } : nil
                return Page(items: calls.map { CallLogView($0, role: identity.role) }, next: next)
            }
        }
    }

    /// X-16: one call with its journey and notes.
    @Sendable func call(_ request: Request, context: AppRequestContext) async throws -> CallDetailView {
        let identity = try await authorize(context, "logs.read", roles: Self.callingRoles)
        let uid = try context.id("uid", as: CallID.self)
        return try await database.withTransaction { transaction in
            let (call, journey) = try await visibleCall(uid, identity, in: transaction)
            let notes = try await CallStore.notes([uid], company: identity.companyID, in: transaction)[uid] ?? []
            return CallDetailView(call: CallLogView(call, role: identity.role), journey: journey, notes: notes)
        }
    }

    /// CR-60, CR-59, CR-61: a call's recording (or voicemail) is one MP3, fetched from where the switch stored it: a
    /// redirect to it once it can be played. There is no bulk download: each call's audio is fetched on its own.
    @Sendable func recording(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try await authorize(context, "logs.read", roles: Self.callingRoles)
        let uid = try context.id("uid", as: CallID.self)
        let audio: RecordingAccess.Audio = request.uri.path.hasSuffix("/voicemail") ? .voicemail : .recording
        let (call, _) = try await database.withTransaction { try await visibleCall(uid, identity, in: $0) }
        let url = audio == .recording ? call.recordingURL : call.voicemailURL
        let now = Date()
        switch RecordingAccess(audio, url: url, endedAt: call.endedAt, role: identity.role, now: now) {
        case .available:
            return Response(status: .found, headers: [.location: url ?? ""])
        case .processing:
            let wait = call.endedAt.map { max(1, Int((RecordingAccess.processingTime - now.timeIntervalSince($0)).rounded(.up))) } ?? 60
            var error = APIError(
                .conflict, code: "recording.processing",
                message: "The \(audio == .recording ? "recording" : "voicemail") is being processed and can be played two minutes after the call ended (CR-59).")
            error.retryAfter = wait
            throw error
        case .restricted:
            throw APIError.accessDenied(identity.role, lacks: "recordings.access")
        case .absent:
            throw APIError.notFound(audio == .recording ? "recording" : "voicemail")
        }
    }

    /// CR-57: a time-stamped note with its author, visible to teammates.
    @Sendable func addNote(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CallNote> {
        let identity = try await authorize(context, "logs.notes", roles: Self.callingRoles)
        let uid = try context.id("uid", as: CallID.self)
        let body = try await request.decode(as: NoteRequest.self, context: context)
        try TextRules.check(body.text, field: "text", max: 2000, code: "call.note.invalid")
        let note = try await database.withTransaction { transaction in
            _ = try await visibleCall(uid, identity, in: transaction)
            return try await CallStore.addNote(uid, company: identity.companyID, author: identity.userID, text: body.text, in: transaction)
        }
        return EditedResponse(status: .created, response: note)
    }

    /// WH-05: tag the call with an outcome code; forwarded as `call.disposition`.
    @Sendable func setDisposition(_ request: Request, context: AppRequestContext) async throws -> CallLogView {
        let identity = try await authorize(context, "logs.dispositions", roles: Self.callingRoles)
        let uid = try context.id("uid", as: CallID.self)
        let body = try await request.decode(as: DispositionRequest.self, context: context)
        try TextRules.check(body.disposition, field: "disposition", max: 64, code: "call.disposition.invalid")
        if let comment = body.comment { try TextRules.check(comment, field: "comment", max: 1000, code: "call.disposition.invalid") }
        let now = Date()
        return try await database.withTransaction { transaction in
            var (call, _) = try await visibleCall(uid, identity, in: transaction)
            try await CallStore.setDisposition(uid, company: identity.companyID, disposition: body.disposition, comment: body.comment, in: transaction)
            call.disposition = body.disposition
            call.dispositionComment = body.comment
            try await outbox.enqueue(
                Envelope(
                    companyID: identity.companyID, occurredAt: now, correlationID: uid.description,
                    data: CallDisposition(uid: uid, agentID: identity.userID, disposition: body.disposition, comment: body.comment, recordedAt: now)),
                in: transaction)
            return CallLogView(call, role: identity.role)
        }
    }

    /// X-06, X-17, X-19, CR-56, CR-57: one row per call with the `UID` column and the notes, filters applied.
    @Sendable func exportCalls(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try await authorize(context, "reports.export", roles: Self.managerRoles)
        var filter = try Self.filter(request.uri.queryParameters)
        filter.limit = Self.exportRows
        let (calls, notes) = try await Self.companyClock {
            try await database.withTransaction { transaction in
                try await scope(&filter, identity, in: transaction)
                let calls = try await CallStore.list(company: identity.companyID, filter: filter, in: transaction)
                return (calls, try await CallStore.notes(calls.map(\.uid), company: identity.companyID, in: transaction))
            }
        }
        var text = CSV.row([
            "UID", "Direction", "Status", "Started At", "Answered At", "Ended At", "Duration (s)", "Number", "Number Type", "Customer", "Agent",
            "Department", "Not Reachable", "Missed Call Service", "Disposition", "Recording URL", "Notes",
        ])
        let now = Date()
        for call in calls {
            let view = CallLogView(call, role: identity.role, now: now)
            let noteText = (notes[call.uid] ?? []).map { "\(Timestamp.format($0.createdAt)) \($0.authorID): \($0.text)" }.joined(separator: " | ")
            text += CSV.row([
                call.uid.description, call.direction.rawValue, call.outcome?.rawValue ?? "live", Timestamp.format(call.startedAt),
                call.answeredAt.map(Timestamp.format) ?? "", call.endedAt.map(Timestamp.format) ?? "", call.billableSeconds.map(String.init) ?? "",
                call.did.e164, call.didType.rawValue, view.customer ?? "", call.agentID?.description ?? "", call.departmentID?.description ?? "",
                call.notReachable ? "yes" : "no", call.state.missedCallService == true ? "yes" : "no", call.disposition ?? "",
                view.recordingURL ?? view.voicemailURL ?? "", noteText,
            ])
        }
        var response = CSV.response(text, filename: "call-logs.csv")
        if calls.count == Self.exportRows, let last = calls.last {
            response.setHeader("X-Next-Before", Timestamp.format(last.startedAt) + "|" + last.uid.description)
        }
        return response
    }

    // MARK: Scope (X-04, D-27)

    /// CR-58: a time zone saved before zones were checked against PostgreSQL's names is a 422, not a 500.
    private static func companyClock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22023" {
            throw APIError.unprocessable(
                "settings.time_zone.unsupported",
                "The company's time zone cannot be read for a time-of-day filter; set an IANA name such as Asia/Kolkata in the settings.",
                field: "time_from")
        }
    }

    /// Agents see their own calls; managers also those of the departments they manage; owners and admins all.
    func scope(_ filter: inout CallLogFilter, _ identity: Identity, in transaction: Transaction) async throws {
        if filter.timeOfDay != nil { filter.zone = try await CompanyStore.read(identity.companyID, in: transaction).timeZone }
        switch identity.role {
        case .owner, .admin:
            break
        case .manager:
            filter.onlyAgent = identity.userID
            filter.onlyDepartments = try await DepartmentStore.managed(by: identity.userID, company: identity.companyID, in: transaction)
        case .agent, .billing:
            filter.onlyAgent = identity.userID
            filter.hideMasked = filter.customer != nil
        }
    }

    private func visibleCall(_ uid: CallID, _ identity: Identity, in transaction: Transaction) async throws -> (CallRecord, [JourneyEntry]) {
        guard let (call, journey) = try await CallStore.find(uid, company: identity.companyID, in: transaction) else { throw APIError.notFound("call") }
        switch identity.role {
        case .owner, .admin:
            return (call, journey)
        case .manager:
            if call.agentID == identity.userID { return (call, journey) }
            let managed = try await DepartmentStore.managed(by: identity.userID, company: identity.companyID, in: transaction)
            if let department = call.departmentID, managed.contains(department) { return (call, journey) }
        case .agent, .billing:
            if call.agentID == identity.userID { return (call, journey) }
        }
        // Not revealing that the call exists.
        throw APIError.notFound("call")
    }

    static func filter(_ query: some Sequence<(key: Substring, value: Substring)>) throws -> CallLogFilter {
        var filter = CallLogFilter()
        var times: Set<Substring> = []
        for (key, value) in query {
            if key == "time_from" || key == "time_to" { times.insert(key) }
            let text = String(value)
            func bad(_ message: String) -> APIError { APIError.badRequest("request.query_invalid", message, field: String(key)) }
            switch key {
            case "from", "to":
                guard let date = Timestamp.parse(text) else { throw bad("\(key) must be an ISO-8601 timestamp such as 2026-11-28T00:00:00Z.") }
                if key == "from" { filter.from = date } else { filter.to = date }
            case "direction":
                guard let direction = CallCompleted.Direction(rawValue: text) else { throw bad("direction is inbound or outbound.") }
                filter.direction = direction
            case "status":
                guard let outcome = CallCompleted.Outcome(rawValue: text) else {
                    throw bad("status is one of connected, missed, voicemail, rejected, no_flow, failed.")
                }
                filter.outcome = outcome
            case "agent_id":
                guard let id = UserID(text) else { throw bad("agent_id must be a UUID.") }
                filter.agent = id
            case "department_id":
                guard let id = DepartmentID(text) else { throw bad("department_id must be a UUID.") }
                filter.department = id
            case "did":
                guard let number = PhoneNumber(e164: text) else { throw bad("did must be an E.164 number.") }
                filter.did = number
            case "customer":
                guard let number = PhoneNumber(e164: text) ?? (try? PhoneNumber.indian(text).get()) else { throw bad("customer must be a phone number.") }
                filter.customer = number
            case "time_from", "time_to":
                guard let minutes = TimeOfDay.minutes(text) else { throw bad("\(key) is a time of day, HH:mm, on the company's clock.") }
                var window = filter.timeOfDay ?? TimeOfDay(from: 0, to: 0)
                if key == "time_from" { window.from = minutes } else { window.to = minutes }
                filter.timeOfDay = window
            case "limit":
                filter.limit = try limit(text)
            case "before":
                let parts = text.split(separator: "|")
                guard parts.count == 2, let at = Timestamp.parse(String(parts[0])), let uid = CallID(String(parts[1])) else {
                    throw bad("before is the `next` cursor of the previous page.")
                }
                filter.before = (at, uid)
            default:
                continue
            }
        }
        // CR-58: a window needs both ends; from equal to to would be empty or the whole day, neither of which is asked.
        if let window = filter.timeOfDay {
            guard times.count == 2 else {
                throw APIError.badRequest(
                    "request.query_invalid", "A time-of-day filter has both time_from and time_to.", field: times.contains("time_from") ? "time_to" : "time_from")
            }
            guard window.from != window.to else {
                throw APIError.badRequest("request.query_invalid", "time_to must differ from time_from.", field: "time_to")
            }
        }
        return filter
    }
}

extension CallNote: ResponseEncodable {}
