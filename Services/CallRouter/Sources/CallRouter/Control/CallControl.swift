import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// Runs the call engine for the switch and for click-to-call. A switch decision holds no transaction: it starts from
/// the copy of the call this replica kept (`LiveCalls`) or reads the call (for a new call, its number) in one
/// statement, decides in memory with the lookups the engine asks for, and writes the call's row with every effect
/// (agents busy or free, sticky bindings, lines, events) in one statement that applies only if neither the call nor
/// the company's settings moved on meanwhile. One round trip and one commit for most decisions, plus the lookups.
struct CallControl: Sendable {
    let database: Database
    let outbox: Outbox
    let flows: FlowCache
    let webhooks: InputWebhookClient
    /// The calls this replica decided last: their next event decides without reading them first.
    let calls: LiveCalls

    /// A decision whose write found the call moved on (another event of it decided first, or a stale kept copy), or
    /// that PostgreSQL aborted for a deadlock with another call's statement (they lock agents, lines and calls in
    /// orders it chooses), is decided again from the call as it is now, up to this many times in all, before the
    /// switch sees a 503. So is a decision from a kept copy that refused the event, had a question for the company's
    /// webhook or found its copy moved before a side effect (`KeptCallMoved`). Nothing of it was written, except a
    /// balanced department's rotation cursor (`PostgresDirectory.claimRotation`); an input webhook it asked is not
    /// asked again (`InlineAnswer`).
    static let attempts = 5

    /// A new inbound call from the switch.
    struct Incoming: Sendable {
        var did: PhoneNumber
        var caller: PhoneNumber?
        var carrierCallID: String
        /// CR-16: the extension dialled after the number ("<number>,<extension>").
        var dialedExtension: Extension?
        var at: Date
    }

    // MARK: Inbound

    /// Every line was busy when the call's statement came to take one (D-07).
    private struct LinesBusy: Error {
        let lookup: InboundLookup
    }

    /// D-09, CR-63, CR-12, D-07 in that order, then the flow's start. The same call sent twice at once: the second
    /// waits on the carrier id's unique index, fails when the first commits, and is answered from the first.
    func incoming(_ call: Incoming) async throws -> String {
        do {
            return try await admit(call)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return try await admit(call)
        }
    }

    private func admit(_ call: Incoming) async throws -> String {
        var attempt = 1
        let asked = InlineAnswer()
        while true {
            do {
                return try await database.withConnection { session in try await admitOnce(call, asked: asked, on: session) }
            } catch let busy as LinesBusy {
                // The same call sent twice at once when the company had one line left: the first took it, so this one
                // found none, and never reached the carrier id's unique index. It gets the first one's answer.
                let again = try await database.withConnection { session in
                    try await NumberStore.inbound(did: call.did, caller: call.caller, carrierCallID: call.carrierCallID, in: session)
                }
                if let earlier = again?.earlierAnswer { return earlier }
                return try await lost(call, busy.lookup)
            } catch let error as PSQLError where error.isTransactionConflict && attempt < Self.attempts {
                attempt += 1
            }
        }
    }

    private func admitOnce(_ call: Incoming, asked: InlineAnswer, on session: Transaction) async throws -> String {
        guard let lookup = try await NumberStore.inbound(did: call.did, caller: call.caller, carrierCallID: call.carrierCallID, in: session)
        else { throw APIError.notFound("did") }
        let company = lookup.company
        if let answer = lookup.earlierAnswer { return answer }
        var graph: CallFlowGraph?
        if let flowID = lookup.flowID, let version = lookup.publishedVersion, lookup.flowStatus == .active {
            graph = try await flows.graph(flowID, version: version, in: session)
        }
        var record = CallRecord(
            uid: CallID(), company: company, direction: .inbound, did: call.did, didType: lookup.type, customer: call.caller,
            carrierCallID: call.carrierCallID, flowID: lookup.flowID, flowVersion: lookup.publishedVersion, live: true, linesHeld: 0,
            state: CallState(), outcome: nil, agentID: nil, departmentID: nil, notReachable: false, startedAt: call.at, pickedUpAt: nil,
            answeredAt: nil, endedAt: nil, billableSeconds: nil, recordingURL: nil, voicemailURL: nil, disposition: nil,
            dispositionComment: nil, lastEventID: nil, lastResponse: nil)
        // CR-75: also a refused call's log and event say it was masked.
        if lookup.callMasking { record.state.masked = true }
        switch Admission.screen(
            suspended: lookup.settings.suspended, blocked: lookup.blocked, missedCallService: lookup.missedCallService, flowReady: graph != nil
        ) {
        case .refused?:
            let answer = try JSONText.encode(CallAnswer(uid: nil, status: .refused, instructions: [.hangup(reason: .accountSuspended)]))
            // The same call sent twice at once: the second waits on the carrier id's index and is answered alike.
            _ = try await CallStore.systemLog(
                company: company, kind: "rejected-suspended",
                detail: SystemLogDetail(did: call.did, caller: call.caller, carrierCallID: call.carrierCallID), answer: answer, in: session)
            return answer
        case .rejected?:
            return try await refuse(&record, outcome: .rejected, reason: .blocked, journey: "blocked", in: session)
        case .missedCall?:
            record.state.missedCallService = true
            return try await refuse(&record, outcome: .missed, reason: .missedCallService, journey: "missed_call_service", in: session)
        case .noFlow?:
            return try await refuse(&record, outcome: .noFlow, reason: .noFlow, journey: "no_flow", in: session)
        case .lost?, .admitted?, nil:
            break
        }
        guard let graph else { throw APIStoreError.missingRow("flow_versions") }
        record.linesHeld = 1
        record.pickedUpAt = call.at
        var lookups = directory(company, session)
        lookups.inline = asked
        let engine = CallEngine(flow: graph, directory: lookups, context: context(for: record, settings: lookup.settings, at: call.at))
        var state = CallState()
        state.masked = record.state.masked
        let step = try await engine.start(&state, dialedExtension: call.dialedExtension)
        record.state = state
        let started = try EncodedEnvelope(
            Envelope(
                companyID: company, occurredAt: call.at, correlationID: record.uid.description,
                data: CallStarted(
                    uid: record.uid, direction: .inbound, did: call.did, customer: call.caller, startedAt: call.at, masked: record.state.masked)))
        var writes = try gather(step.effects, to: &record, at: call.at)
        writes.events.insert(started, at: 0)
        let answer = try JSONText.encode(CallAnswer(uid: record.uid, status: record.live ? .live : .ended, instructions: step.instructions))
        record.lastResponse = answer
        // D-07, CR-47: the line, the call and its events in one statement; a call that already ended in this decision
        // still needed a free line, and gives it back in the same statement.
        guard try await CallStore.insertAdmitted(record, journey: step.journey, writes: writes, in: session) else {
            throw LinesBusy(lookup: lookup)
        }
        calls.keep(record, settings: lookup.settings)
        return answer
    }

    /// CR-52: a lost call leaves a system-log row and `call.lost`, nothing else, once per carrier call: a resend,
    /// also one sent at the same time, gets the first one's answer and announces nothing.
    private func lost(_ call: Incoming, _ lookup: InboundLookup) async throws -> String {
        try await database.withTransaction(retryingConflicts: Self.attempts) { transaction in
            let answer = try JSONText.encode(CallAnswer(uid: nil, status: .lost, instructions: [.hangup(reason: .noLines)]))
            guard try await CallStore.systemLog(
                company: lookup.company, kind: "lost-capacity",
                detail: SystemLogDetail(did: call.did, caller: call.caller, carrierCallID: call.carrierCallID), answer: answer, in: transaction)
            else {
                return try await CallStore.refusal(company: lookup.company, carrierCallID: call.carrierCallID, in: transaction) ?? answer
            }
            try await outbox.enqueue(
                Envelope(
                    companyID: lookup.company, occurredAt: call.at,
                    data: CallLost(did: call.did, customer: call.caller, carrierCallID: call.carrierCallID, lines: lookup.settings.lines, lostAt: call.at)),
                in: transaction)
            return answer
        }
    }

    private func directory(_ company: CompanyID, _ session: Transaction) -> PostgresDirectory {
        PostgresDirectory(company: company, session: session, webhooks: webhooks)
    }

    /// CR-12, CR-63: the call is logged with its outcome and ends before the IVR (one statement).
    private func refuse(
        _ record: inout CallRecord, outcome: CallCompleted.Outcome, reason: HangupReason, journey: String, in session: Transaction
    ) async throws -> String {
        record.state.phase = .ended
        let writes = try gather([.ended(outcome)], to: &record, at: record.startedAt)
        let answer = try JSONText.encode(CallAnswer(uid: record.uid, status: .ended, instructions: [.hangup(reason: reason)]))
        record.lastResponse = answer
        try await CallStore.insert(
            record, journey: [JourneyEntry(at: record.startedAt, kind: journey, nodeID: nil, agents: nil, detail: nil)], events: writes.events,
            in: session)
        return answer
    }

    // MARK: Events

    /// The next event of a live call. A resent event (same `eventID`) gets the stored answer and changes nothing.
    /// An input node's webhook is asked between two attempts, with nothing held: the first attempt stops at the
    /// question and writes nothing, the next one decides with the answer.
    func event(_ uid: CallID, _ event: SwitchEvent, eventID: String?, at: Date) async throws -> String {
        var answered: InputWebhookAnswer?
        for _ in 0..<3 {
            do {
                return try await decide(uid, event, eventID: eventID, at: at, answered: answered, inline: false)
            } catch let question as InputWebhookQuestion {
                answered = InputWebhookAnswer(
                    url: question.url, request: question.request,
                    next: await webhooks.ask(url: question.url, request: question.request, company: question.company))
            }
        }
        // The call kept moving between attempts (other events of it racing this one): ask inside, as a last resort.
        return try await decide(uid, event, eventID: eventID, at: at, answered: answered, inline: true)
    }

    private func decide(
        _ uid: CallID, _ event: SwitchEvent, eventID: String?, at: Date, answered: InputWebhookAnswer?, inline: Bool
    ) async throws -> String {
        var attempt = 1
        let asked = InlineAnswer()
        while true {
            do {
                let decided = try await database.withConnection { session in
                    try await decideOnce(uid, event, eventID: eventID, at: at, answered: answered, inline: inline, asked: asked, on: session)
                }
                if let decided { return decided }
            } catch let error as PSQLError where error.isTransactionConflict && attempt < Self.attempts {}
            guard attempt < Self.attempts else {
                throw APIError.unavailable("call.busy", "Other events of this call were being decided at the same time; send this one again.")
            }
            attempt += 1
        }
    }

    /// One attempt: the answer, or nil when the call moved on before the write (nothing was written).
    private func decideOnce(
        _ uid: CallID, _ event: SwitchEvent, eventID: String?, at: Date, answered: InputWebhookAnswer?, inline: Bool, asked: InlineAnswer,
        on session: Transaction
    ) async throws -> String? {
        // A resend of the event the copy answered last is answered from the row: the call may have ended elsewhere since.
        var kept = calls.entry(uid)
        if let copy = kept, eventID != nil, copy.call.lastEventID == eventID {
            calls.forget(uid, at: copy.call)
            kept = nil
        }
        var record: CallRecord
        let settings: CompanySettings
        if let kept {
            (record, settings) = (kept.call, kept.settings)
        } else if let read = try await CallStore.readWithSettings(uid, in: session) {
            calls.count(.read)
            (record, settings) = read
        } else {
            throw APIError.notFound("call")
        }
        if let eventID, eventID == record.lastEventID, let answer = record.lastResponse { return answer }
        guard record.live else { return try JSONText.encode(CallAnswer(uid: uid, status: .ended, instructions: [])) }
        // A call's clock never runs back: an event stamped before the pickup or answer it follows (two switch nodes'
        // clocks, or the sweeper's last-heard time read before an answer came in) is taken as happening at them.
        let now = [at, record.startedAt, record.pickedUpAt, record.answeredAt].compactMap(\.self).max() ?? at
        var graph = CallFlowGraph(start: "", nodes: [], operator: nil)
        if let flow = record.flowID, let version = record.flowVersion {
            graph = try await flows.graph(flow, version: version, in: session) ?? graph
        }
        var lookups = directory(record.company, session)
        lookups.answered = answered
        lookups.inline = inline ? asked : nil
        lookups.kept = kept
        let engine = CallEngine(flow: graph, directory: lookups, context: context(for: record, settings: settings, at: now))
        var state = record.state
        let step: Step
        do {
            step = try await engine.handle(event, &state)
        } catch where kept != nil && (error is CallEventError || error is InputWebhookQuestion || error is KeptCallMoved) {
            // A refusal, or a question to the company's webhook, must come from the call as it is, not as this replica
            // last saw it: decided again from a fresh read. So must a rotation claim (`PostgresDirectory.kept`).
            if let kept { calls.forget(uid, at: kept.call) }
            calls.count(.reread)
            return nil
        } catch let error as CallEventError {
            throw error.apiError
        }
        // An event that moves nothing (keys pressed while ringing, CR-45) is only logged: the stored answer stays the
        // last one that moved the call, so a resend of that event, whose answer the switch lost while this one came
        // in, still gets it instead of being decided a second time.
        let moves = !step.movesNothing || state != record.state || event.carriesRecording
        // The engine decides whether a hang-up's recording is a voicemail (CR-61).
        let voicemailByHangup = state.voicemailRecorded && !record.state.voicemailRecorded
        record.state = state
        switch event {
        case .voicemailRecorded(let url, _): record.voicemailURL = url
        case .hangup(let recording?) where voicemailByHangup: record.voicemailURL = recording
        case .hangup(let recording): record.recordingURL = recording ?? record.recordingURL
        default: break
        }
        let writes = try gather(step.effects, to: &record, at: now)
        let answer = try JSONText.encode(CallAnswer(uid: uid, status: record.live ? .live : .ended, instructions: step.instructions))
        if moves {
            record.lastEventID = eventID
            record.lastResponse = answer
        }
        guard let revision = try await CallStore.update(record, appending: step.journey, writes: writes, settings: settings, in: session) else {
            if let kept {
                calls.forget(uid, at: kept.call)
                calls.count(.reread)
            }
            return nil
        }
        if kept != nil { calls.count(.kept) }
        record.version += 1
        record.revision = revision
        calls.keep(record, settings: settings)
        return answer
    }

    // MARK: Outbound (CR-76, CR-77, CR-49, CR-68, D-07, D-09)

    struct Outbound: Sendable, Equatable {
        var customer: PhoneNumber
        var callerID: PhoneNumber?
        var method: OutboundMethod
        var at: Date
        /// CR-75: a callback of a masked call: its log hides the customer from agents too.
        var masked = false
    }

    func outbound(_ request: Outbound, by identity: Identity) async throws -> String {
        try await database.withTransaction(retryingConflicts: Self.attempts) { transaction in
            let company = identity.companyID
            let settings = try await CompanyStore.read(company, in: transaction)
            if settings.suspended {
                throw APIError.paymentRequired("account.suspended", "The account is suspended for unpaid dues; recharge and refresh the balance to call out.")
            }
            guard let user = try await UserStore.find(identity.userID, company: company, in: transaction, lock: true) else {
                throw APIError.forbidden("user.not_set_up", "Your user is not set up for calling in this company.")
            }
            guard user.outboundAllowed else {
                throw APIError.forbidden("call.outbound.not_permitted", "Outbound calling is turned off for your user (X-10).")
            }
            guard user.availability == .available else {
                throw APIError.conflict("agent.unavailable", "Set your availability to Available before placing a call (CR-77).")
            }
            guard user.onCall == nil else { throw APIError.conflict("agent.on_call", "You are already on a call.") }
            let number: Number
            if let callerID = request.callerID {
                guard let found = try await NumberStore.find(callerID, company: company, in: transaction) else {
                    throw APIError.unprocessable("did.not_found", "The caller ID \(callerID) is not one of your numbers.", field: "caller_id")
                }
                number = found
            } else {
                guard let found = try await NumberStore.list(company: company, in: transaction).first(where: { !$0.shared }) else {
                    throw APIError.unprocessable("did.none_for_outbound", "Buy a number to use as caller ID for outbound calls.", field: "caller_id")
                }
                number = found
            }
            if number.shared {
                throw APIError.unprocessable(
                    "did.shared_outbound", "A shared number cannot make outbound calls; choose a purchased number (CR-68).", field: "caller_id")
            }
            var state = CallState()
            state.agent = user.id
            if request.masked { state.masked = true }
            var instructions: [Instruction]
            var pickedUp: Date?
            switch request.method {
            case .clickToCall:
                state.phase = .dialingAgent
                instructions = [
                    .dial(
                        Instruction.Dial(
                            agents: [Instruction.DialAgent(userID: user.id, number: user.mobile, extension: user.extensionNumber)],
                            ringSeconds: DepartmentRules.defaultRingSeconds, strategy: nil, customer: nil, callerID: number.number, warm: false))
                ]
            case .webCall:
                state.phase = .dialingCustomer
                pickedUp = request.at
                instructions = [.dial(Instruction.Dial(agents: [], ringSeconds: 45, strategy: nil, customer: request.customer, callerID: number.number, warm: false))]
            }
            let uid = CallID()
            let answer = try JSONText.encode(CallAnswer(uid: uid, status: .live, instructions: instructions))
            let record = CallRecord(
                uid: uid, company: company, direction: .outbound, did: number.number, didType: number.type, customer: request.customer,
                carrierCallID: nil, flowID: nil, flowVersion: nil, live: true, linesHeld: request.method.lines, state: state, outcome: nil,
                agentID: user.id, departmentID: nil, notReachable: false, startedAt: request.at, pickedUpAt: pickedUp, answeredAt: nil, endedAt: nil,
                billableSeconds: nil, recordingURL: nil, voicemailURL: nil, disposition: nil, dispositionComment: nil, lastEventID: nil,
                lastResponse: answer)
            try await UserStore.setOnCall(user.id, call: uid, busy: true, company: company, in: transaction)
            let started = try EncodedEnvelope(
                Envelope(
                    companyID: company, occurredAt: request.at, correlationID: uid.description,
                    data: CallStarted(
                        uid: uid, direction: .outbound, did: number.number, customer: request.customer, agentID: user.id, startedAt: request.at,
                        masked: request.masked)))
            try await CallStore.insert(
                record, journey: [JourneyEntry(at: request.at, kind: "outbound", nodeID: nil, agents: [user.id], detail: request.method.rawValue)],
                events: [started], in: transaction)
            // D-07, CR-49: last, so the company's row is locked only for the commit; refused, everything rolls back.
            let cap = LinePolicy(lines: settings.lines).outboundCap
            if request.method.lines > cap {
                throw APIError.conflict(
                    "lines.insufficient_for_method",
                    "With \(settings.lines) lines only \(cap) may carry outbound calls, and \(request.method.rawValue) needs \(request.method.lines); use a web call or add lines (D-07, CR-49).",
                    field: "method")
            }
            guard try await CompanyStore.takeLines(company, legs: request.method.lines, outboundCap: cap, releasing: 0, in: transaction) else {
                throw APIError.conflict(
                    "lines.exhausted",
                    "All lines for outbound calls are busy (\(cap) of \(settings.lines) lines may carry outbound calls); try again when a call ends.")
            }
            return answer
        }
    }

    // MARK: Effects

    private func context(for record: CallRecord, settings: CompanySettings, at now: Date) -> CallContext {
        CallContext(
            uid: record.uid, direction: record.direction, did: record.did, customer: record.customer, now: now,
            moment: LocalMoment(now, timeZone: settings.zone), suspended: settings.suspended, directDialing: settings.directDialing,
            stickyWindowDays: settings.stickyWindowDays)
    }

    /// Seconds between two instants rounded up, after rounding to the millisecond: a timestamp that went through
    /// PostgreSQL (microseconds) and back must not turn an instant into one billable second. A call's billable time and
    /// a caller's wait both come from here.
    static func wholeSeconds(from start: Date, to end: Date) -> Int {
        let milliseconds = (end.timeIntervalSince(start) * 1_000).rounded()
        // At most a week whatever the times (a call the sweeper could only end after an outage of days): more is no
        // call's, and `call.completed` readers refuse it, so the call would go unbilled and unseen by CRMs.
        let longest = Double(CallCompleted.billableSecondsRange.upperBound)
        return Int(max(0, min(longest, (milliseconds / 1_000).rounded(.up))))
    }

    /// The decision's effects on the call's row, and everything else they write, gathered so that the writes go out
    /// in as few statements as possible (each round trip to PostgreSQL costs the decision more than the work).
    private func gather(_ effects: [CallEffect], to record: inout CallRecord, at now: Date) throws -> DecisionWrites {
        let company = record.company
        let uid = record.uid
        var writes = DecisionWrites()
        func event(_ data: some Event) throws {
            writes.events.append(try EncodedEnvelope(Envelope(companyID: company, occurredAt: now, correlationID: uid.description, data: data)))
        }
        record.departmentID = record.state.department ?? record.departmentID
        record.notReachable = record.state.notReachable
        for effect in effects {
            switch effect {
            case .pickedUp:
                record.pickedUpAt = record.pickedUpAt ?? now
            case .answered(let agent, let department):
                record.agentID = agent
                record.departmentID = department ?? record.departmentID
                record.answeredAt = record.answeredAt ?? now
                writes.agents[agent] = true
                if record.direction == .inbound, let customer = record.customer {
                    writes.sticky = DecisionWrites.Sticky(customer: customer, agent: agent, at: now)
                }
                let wait = record.pickedUpAt.map { Self.wholeSeconds(from: $0, to: now) } ?? 0
                try event(
                    CallAnswered(
                        uid: record.uid, direction: record.direction, did: record.did, customer: record.customer, agentID: agent,
                        departmentID: record.departmentID, answeredAt: now, waitSeconds: wait, masked: record.state.masked))
            case .released(let agent):
                writes.agents[agent] = false
            case .transferred(let from, let to, let department, let mode):
                try event(CallTransferred(uid: record.uid, fromAgentID: from, toAgentID: to, departmentID: department, mode: mode, transferredAt: now))
            case .ended(let outcome):
                record.outcome = outcome
                record.live = false
                record.endedAt = now
                // BI-10, BI-11: from system pickup to the end; nothing when the platform never picked up.
                record.billableSeconds = record.pickedUpAt.map { Self.wholeSeconds(from: $0, to: now) } ?? 0
                if record.direction == .outbound, let agent = record.state.agent ?? record.agentID {
                    writes.agents[agent] = false
                }
                writes.releasedLines = record.linesHeld
                record.linesHeld = 0
                try event(
                    CallCompleted(
                        uid: record.uid, direction: record.direction, did: record.did, didType: record.didType, customer: record.customer,
                        agentID: record.agentID, departmentID: record.departmentID, outcome: outcome, notReachable: record.notReachable,
                        pickedUpAt: record.pickedUpAt, endedAt: now, billableSeconds: record.billableSeconds ?? 0,
                        recordingURL: record.recordingURL ?? record.voicemailURL,
                        recordingAvailableAt: now.addingTimeInterval(RecordingAccess.processingTime),
                        missedCallService: record.state.missedCallService, masked: record.state.masked))
            }
        }
        return writes
    }
}

/// What a system-log row records about a call that never got a call log.
struct SystemLogDetail: Encodable, Sendable {
    var did: PhoneNumber
    var caller: PhoneNumber?
    var carrierCallID: String

    enum CodingKeys: String, CodingKey {
        case did, caller
        case carrierCallID = "carrier_call_id"
    }
}

extension CallEventError {
    var apiError: APIError {
        switch self {
        case .answerWithoutAgent:
            APIError.badRequest("request.field_missing", "An inbound call's offer_answered needs the agent_id of who answered.", field: "agent_id")
        case .callerCannotTransfer:
            APIError.forbidden("call.transfer.caller_not_allowed", "Callers cannot transfer a call; only agents can (CR-45).", field: "by")
        case .notConnected:
            APIError.conflict("call.not_connected", "Only a connected call with no transfer in progress can be transferred.")
        case .notTheConnectedAgent:
            APIError.conflict("call.transfer.not_connected_agent", "Only the agent on the call can transfer it.", field: "agent_id")
        case .transferTargetUnknown:
            APIError.unprocessable("call.transfer.target_unknown", "The transfer target is not a user or department of your company.", field: "to")
        case .outboundTransfer:
            APIError.conflict("call.transfer.outbound_unsupported", "Outbound calls cannot be transferred; call the colleague in instead.")
        }
    }
}
