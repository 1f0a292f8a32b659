import Contracts
import Foundation

/// The facts of one call the engine decides for, and the company settings that matter to it.
struct CallContext: Sendable {
    var uid: CallID
    var direction: CallCompleted.Direction
    var did: PhoneNumber
    var customer: PhoneNumber?
    var now: Date
    /// `now` on the company's wall clock (D-29).
    var moment: LocalMoment
    var suspended: Bool
    /// CR-16.
    var directDialing: Bool
    var stickyWindowDays: Int
}

/// What a decision changes outside the call's own state.
enum CallEffect: Hashable, Sendable {
    /// BI-10: the platform's first leg is up; billable time starts (outbound: the agent answered).
    case pickedUp
    case answered(UserID, department: DepartmentID?)
    /// The agent is free for other calls again.
    case released(UserID)
    case transferred(from: UserID, to: UserID, department: DepartmentID?, mode: CallTransferred.Mode)
    case ended(CallCompleted.Outcome)
}

/// The result of one decision: instructions for the switch, journey entries and effects.
struct Step: Sendable {
    var instructions: [Instruction] = []
    var journey: [JourneyEntry] = []
    var effects: [CallEffect] = []
    /// Nodes entered while deciding; bounds a runaway flow.
    var entered = 0

    /// Nothing to tell the switch or do (the journey may still note the event).
    var movesNothing: Bool { instructions.isEmpty && effects.isEmpty }
}

/// A caller tried to transfer (CR-45) or an event does not fit the call.
enum CallEventError: Error, Hashable, Sendable {
    /// An inbound call's offer was answered by someone the switch did not name.
    case answerWithoutAgent
    case callerCannotTransfer
    case notConnected
    case notTheConnectedAgent
    case transferTargetUnknown
    case outboundTransfer
}

/// The IVR and routing state machine (CR-02 … CR-45, D-01 … D-06). Pure apart from the directory lookups: given the
/// published flow, the call's state and an event, it returns what the switch does next.
struct CallEngine: Sendable {
    let flow: CallFlowGraph
    let directory: any RoutingDirectory
    let context: CallContext

    static let maxNodesPerDecision = 32

    // MARK: Entry points

    /// The call was answered by the platform: start at the flow's start node, or ring a dialled extension first (CR-16).
    func start(_ state: inout CallState, dialedExtension: Extension?) async throws -> Step {
        var step = Step()
        if let dialedExtension, context.directDialing {
            log(&step, "direct_dial", detail: dialedExtension.description)
            if try await ringExtension(dialedExtension, &state, &step) { return step }
        }
        try await enter(flow.start, &state, &step)
        return step
    }

    /// D-05: the agent who last answered this caller within the sticky window.
    private func boundAgent() async throws -> UserID? {
        guard let customer = context.customer else { return nil }
        return try await directory.stickyAgent(customer: customer, since: context.now.addingTimeInterval(-Double(context.stickyWindowDays) * 86_400))
    }

    func handle(_ event: SwitchEvent, _ state: inout CallState) async throws -> Step {
        var step = Step()
        guard state.phase != .ended else { return step }
        switch event {
        case .dtmf(let digits):
            log(&step, "dtmf", node: state.node, detail: digits)
            try await keys(digits, &state, &step)
        case .noInput:
            log(&step, "no_input", node: state.node)
            try await noInput(&state, &step)
        case .offerAnswered(let agent, let leg):
            try await answered(agent, leg: leg, &state, &step)
        case .offerRejected(let reason, let leg):
            if reason == .notReachable { state.notReachable = true }
            log(&step, "offer_rejected", agents: state.offer?.ringing, detail: reason.rawValue)
            try await offerFailed(leg: leg, &state, &step)
        case .offerTimeout(let leg):
            log(&step, "offer_timeout", agents: state.offer?.ringing)
            try await offerFailed(leg: leg, &state, &step)
        case .voicemailRecorded(_, let seconds):
            guard state.phase == .voicemail else { return step }
            state.voicemailRecorded = true
            // The URL is the call row's (`voicemail_url`), shown only once playable (CR-59); the journey keeps the length.
            log(&step, "voicemail_recorded", detail: "\(seconds) s")
            end(&state, &step, reason: .voicemailSaved)
        case .hangup(let recording):
            log(&step, "hangup")
            if state.phase == .voicemail, state.answeredBy == nil, recording != nil {
                // CR-61: hanging up is how most callers finish a voicemail; the recording that comes with it is one.
                // A call someone answered before it reached voicemail (a transfer nobody took) keeps it as the
                // call's recording.
                state.voicemailRecorded = true
                log(&step, "voicemail_recorded")
            }
            end(&state, &step, reason: nil)
        case .transfer(let by, let agent, let target, let mode):
            try await transfer(by: by, agent: agent, to: target, mode: mode, &state, &step)
        }
        return step
    }

    // MARK: Nodes

    private func enter(_ id: String, _ state: inout CallState, _ step: inout Step) async throws {
        step.entered += 1
        guard step.entered <= Self.maxNodesPerDecision, let node = flow.node(id) else {
            log(&step, "flow_error", node: id)
            end(&state, &step, reason: .flowLoop)
            return
        }
        log(&step, "node", node: id, detail: node.typeName.rawValue)
        state.node = nil
        switch node.kind {
        case .message(let message):
            step.instructions.append(.play(audio: message.audio, language: state.language))
            if let next = message.next {
                try await enter(next, &state, &step)
            } else {
                end(&state, &step, reason: .flowEnded)
            }
        case .menu(let menu):
            if state.assigned == nil, let assigned = flow.assigned, context.direction == .inbound, let bound = try await boundAgent() {
                // CR-42: a caller who is an agent's skips the menu (what comes before it, hours and language, still
                // applies) and rings that agent; the flow's fallback when the agent cannot take the call.
                state.assigned = bound
                log(&step, "assigned", node: id, agents: [bound])
                try await ringUser(bound, ringSeconds: assigned.ringSeconds, fallback: assigned.fallback, &state, &step)
                return
            }
            state.phase = .ivr
            state.node = id
            state.plays = 1
            promptMenu(menu, state, &step)
        case .language(let choice):
            state.phase = .ivr
            state.node = id
            state.plays = 1
            step.instructions += [.play(audio: choice.prompt, language: state.language), .gather(maxDigits: 1, timeoutSeconds: MenuRules.defaultTimeoutSeconds)]
        case .input(let input):
            state.phase = .ivr
            state.node = id
            state.plays = 1
            step.instructions += [.play(audio: input.prompt, language: state.language), .gather(maxDigits: input.maxDigits, timeoutSeconds: input.timeoutSeconds)]
        case .voicemail(let voicemail):
            startVoicemail(greeting: voicemail.greeting, maxSeconds: voicemail.maxSeconds, &state, &step)
        case .extension(let target):
            try await ringUser(target.userID, ringSeconds: target.ringSeconds, fallback: target.fallback, &state, &step)
        case .department(let target):
            try await route(target.departmentID, &state, &step)
        case .timeCondition(let condition):
            let open = condition.schedule.isOpen(at: context.moment)
            log(&step, open ? "working_hours" : "after_hours", node: id)
            try await enter(open ? condition.open : condition.closed, &state, &step)
        }
    }

    private func promptMenu(_ menu: FlowNode.Menu, _ state: CallState, _ step: inout Step) {
        // D-01, CR-27: with direct dialing on, a menu also takes a two-digit extension.
        step.instructions += [
            .play(audio: menu.prompt, language: state.language),
            .gather(maxDigits: context.directDialing ? 2 : 1, timeoutSeconds: menu.timeoutSeconds),
        ]
    }

    private func startVoicemail(greeting: String?, maxSeconds: Int, _ state: inout CallState, _ step: inout Step) {
        state.phase = .voicemail
        state.node = nil
        if let greeting { step.instructions.append(.play(audio: greeting, language: state.language)) }
        step.instructions.append(.recordVoicemail(maxSeconds: maxSeconds))
        log(&step, "voicemail", detail: String(maxSeconds))
    }

    // MARK: Keys

    private func keys(_ digits: String, _ state: inout CallState, _ step: inout Step) async throws {
        // CR-45: keys pressed outside a prompt (while ringing or talking) never move the call.
        guard state.phase == .ivr, let id = state.node, let node = flow.node(id) else { return }
        switch node.kind {
        case .menu(let menu):
            switch MenuRules.interpret(digits, options: menu.options, directDialing: context.directDialing) {
            case .option(let key):
                try await enter(menu.options[key]!, &state, &step)
            case .replay:
                promptMenu(menu, state, &step)
            case .operator:
                if let target = flow.operator {
                    try await fallback(target, &state, &step)
                } else {
                    try await noInput(&state, &step)
                }
            case .directExtension(let target):
                if !(try await ringExtension(target, &state, &step)) { promptMenu(menu, state, &step) }
            case .noInput, .invalid:
                try await noInput(&state, &step)
            }
        case .language(let choice):
            var keys = digits
            if keys.hasSuffix("#") { keys.removeLast() }
            if let option = choice.options[keys] {
                state.language = option.language
                log(&step, "language", node: id, detail: option.language)
                try await enter(option.next, &state, &step)
            } else {
                try await noInput(&state, &step)
            }
        case .input(let input):
            var keys = digits
            if keys.hasSuffix("#") { keys.removeLast() }
            let request = InputWebhookRequest(uid: context.uid, nodeID: id, digits: keys, caller: context.customer, did: context.did)
            let next = try await directory.askInputWebhook(url: input.webhookURL, request: request)
            if let next, flow.node(next) != nil {
                log(&step, "input_webhook", node: id, detail: next)
                try await enter(next, &state, &step)
            } else {
                log(&step, "input_webhook_fallback", node: id)
                try await enter(input.fallbackNode, &state, &step)
            }
        default:
            return
        }
    }

    /// CR-19 … CR-21: replay until 1 + repeat plays, then the fallback.
    private func noInput(_ state: inout CallState, _ step: inout Step) async throws {
        guard state.phase == .ivr, let id = state.node, let node = flow.node(id) else { return }
        switch node.kind {
        case .menu(let menu):
            if state.plays < MenuRules.totalPlays(repeat: menu.repeat) {
                state.plays += 1
                promptMenu(menu, state, &step)
            } else {
                log(&step, "menu_exhausted", node: id)
                try await fallback(menu.fallback, &state, &step)
            }
        case .language(let choice):
            if state.plays < MenuRules.totalPlays(repeat: MenuRules.defaultRepeat) {
                state.plays += 1
                step.instructions += [.play(audio: choice.prompt, language: state.language), .gather(maxDigits: 1, timeoutSeconds: MenuRules.defaultTimeoutSeconds)]
            } else {
                end(&state, &step, reason: .disconnect)
            }
        case .input(let input):
            try await enter(input.fallbackNode, &state, &step)
        default:
            return
        }
    }

    // MARK: Fallbacks (D-02)

    private func fallback(_ target: FallbackTarget, _ state: inout CallState, _ step: inout Step) async throws {
        step.entered += 1
        guard step.entered <= Self.maxNodesPerDecision else {
            end(&state, &step, reason: .flowLoop)
            return
        }
        log(&step, "fallback", detail: Self.describe(target))
        state.offer = nil
        switch target {
        case .voicemail:
            startVoicemail(greeting: nil, maxSeconds: VoicemailRules.defaultSeconds, &state, &step)
        case .operator:
            if let op = flow.operator, op != .operator {
                try await fallback(op, &state, &step)
            } else {
                end(&state, &step, reason: .disconnect)
            }
        case .user(let id):
            try await ringUser(id, ringSeconds: DepartmentRules.defaultRingSeconds, fallback: .voicemail, &state, &step)
        case .department(let id):
            try await route(id, &state, &step)
        case .message(let audio):
            step.instructions.append(.play(audio: audio, language: state.language))
            end(&state, &step, reason: .disconnect)
        case .disconnect:
            end(&state, &step, reason: .disconnect)
        }
    }

    static func describe(_ target: FallbackTarget) -> String {
        switch target {
        case .voicemail: "voicemail"
        case .operator: "operator"
        case .user(let id): "user:\(id)"
        case .department(let id): "department:\(id)"
        case .message(let audio): "message:\(audio)"
        case .disconnect: "disconnect"
        }
    }

    // MARK: Offers (D-04, D-05, D-06)

    /// A department's strategy over its eligible members, sticky agent first (D-05).
    private func route(_ id: DepartmentID, _ state: inout CallState, _ step: inout Step) async throws {
        guard let (found, agents) = try await directory.departmentWithMembers(id) else {
            log(&step, "department_missing", detail: id.description)
            end(&state, &step, reason: .disconnect)
            return
        }
        var department = found
        // A warm transfer that nobody takes fails back to the first agent, and the call stays in its department: the
        // new one is the call's only once someone answers (`answered`).
        if state.transfer?.mode != .warm { state.department = id }
        var eligible: Set<UserID> = []
        var skipped: [(UserID, Ineligibility)] = []
        for agent in agents {
            // CR-42: the agent assigned routing already rang for this call is not rung again by its fallback.
            if agent.id == state.assigned, state.answeredBy == nil { continue }
            if let reason = Eligibility.check(agent, members: department.members, at: context.moment, suspended: context.suspended) {
                skipped.append((agent.id, reason))
            } else {
                eligible.insert(agent.id)
            }
        }
        // One entry for all of them: a big department would otherwise grow the journey by a line per member.
        if !skipped.isEmpty {
            log(&step, "not_eligible", agents: skipped.map(\.0), detail: skipped.map(\.1.rawValue).joined(separator: ","))
        }
        var bound: UserID?
        // CR-42: the binding was used already if assigned routing rang that agent; the department routes as if unbound.
        if department.sticky != .off, state.assigned == nil || state.answeredBy != nil {
            bound = try await boundAgent()
            if let bound { log(&step, "sticky", agents: [bound], detail: "\(department.sticky.rawValue) eligible=\(eligible.contains(bound))") }
        }
        var rounds: [[UserID]] = []
        // D-04: the balanced cursor is shared by every replica; a claim that lost the race reads it again.
        for _ in 0..<8 {
            rounds = department.strategy.rounds(members: department.members, eligible: eligible, lastOffered: department.lastOffered)
            rounds = department.sticky.apply(to: rounds, bound: bound, boundEligible: bound.map { eligible.contains($0) } ?? false)
            guard department.strategy == .balanced, let first = rounds.first?.first else { break }
            if try await directory.claimRotation(department: id, from: department.lastOffered, to: first) { break }
            guard let fresh = try await directory.department(id) else { break }
            department = fresh
        }
        state.offer = CallState.Offer(
            department: id, rounds: rounds, next: 0, ringing: [], ringSeconds: department.ringSeconds, strategy: department.strategy,
            fallback: department.fallback, musicOnHold: MusicOnHold.chosen(department: department.musicOnHold, flow: flow.musicOnHold))
        try await offerNext(&state, &step, known: agents)
    }

    /// Ring one user (extension node, user fallback, transfer): the department rules minus membership (D-06).
    private func ringUser(
        _ id: UserID, ringSeconds: Int, fallback target: FallbackTarget, _ state: inout CallState, _ step: inout Step
    ) async throws {
        let agent = try await directory.agents([id]).first
        let reason: Ineligibility? = agent.map { Eligibility.check($0, members: nil, at: context.moment, suspended: context.suspended) } ?? .notMember
        if let reason {
            log(&step, "not_eligible", agents: [id], detail: reason.rawValue)
            if let pending = state.transfer, pending.mode == .warm {
                // A warm transfer to someone who cannot take it fails back: the caller stays with the first agent.
                state.transfer = nil
                log(&step, "transfer_failed", agents: [pending.from])
                return
            }
            try await fallback(target, &state, &step)
            return
        }
        state.offer = CallState.Offer(
            department: nil, rounds: [[id]], next: 0, ringing: [], ringSeconds: ringSeconds, strategy: nil, fallback: target,
            musicOnHold: flow.musicOnHold)
        try await offerNext(&state, &step, known: agent.map { [$0] } ?? [])
    }

    /// CR-16, CR-27, CR-30: a dialled extension rings its user when eligible (`opt_out` never rings). False when it
    /// cannot ring, and the caller stays where they were.
    private func ringExtension(_ target: Extension, _ state: inout CallState, _ step: inout Step) async throws -> Bool {
        guard let agent = try await directory.agent(extension: target) else {
            log(&step, "extension_unknown", detail: target.description)
            return false
        }
        if let reason = Eligibility.check(agent, members: nil, at: context.moment, suspended: context.suspended) {
            log(&step, "not_eligible", agents: [agent.id], detail: reason.rawValue)
            return false
        }
        state.node = nil
        state.offer = CallState.Offer(
            department: nil, rounds: [[agent.id]], next: 0, ringing: [], ringSeconds: DepartmentRules.defaultRingSeconds, strategy: nil,
            fallback: .voicemail, musicOnHold: flow.musicOnHold)
        try await offerNext(&state, &step, known: [agent])
        return true
    }

    /// The next round whose agents are still eligible (they may have taken another call since the offer began);
    /// the fallback once every round was tried.
    /// `known` are agents just read in this decision, so the first round needs no second look.
    private func offerNext(_ state: inout CallState, _ step: inout Step, known: [Agent] = []) async throws {
        guard var offer = state.offer else { return }
        while offer.next < offer.rounds.count {
            let round = offer.rounds[offer.next]
            offer.next += 1
            let agents = round.allSatisfy({ id in known.contains { $0.id == id } }) ? known : try await directory.agents(round)
            let live = round.compactMap { id in
                agents.first { $0.id == id && Eligibility.check($0, members: nil, at: context.moment, suspended: context.suspended) == nil }
            }
            guard !live.isEmpty else { continue }
            offer.ringing = live.map(\.id)
            state.offer = offer
            if state.transfer == nil { state.phase = .ringing }
            step.instructions.append(
                .dial(
                    Instruction.Dial(
                        agents: live.map { Instruction.DialAgent(userID: $0.id, number: $0.mobile, extension: $0.extensionNumber) },
                        ringSeconds: offer.ringSeconds, strategy: offer.strategy, customer: nil,
                        callerID: CallMasking.agentCallerID(masked: state.masked == true, did: context.did), warm: state.transfer?.mode == .warm,
                        musicOnHold: MusicOnHold.playing(offer.musicOnHold, transfer: state.transfer != nil))))
            log(&step, "offer", agents: offer.ringing, detail: offer.strategy?.rawValue)
            return
        }
        state.offer = nil
        if let pending = state.transfer {
            // Nobody took a warm transfer: the caller stays with the first agent.
            state.transfer = nil
            if pending.mode == .warm {
                log(&step, "transfer_failed", agents: [pending.from])
                return
            }
        }
        log(&step, "offers_exhausted")
        try await fallback(offer.fallback, &state, &step)
    }

    private func answered(_ agent: UserID?, leg: SwitchEvent.Leg, _ state: inout CallState, _ step: inout Step) async throws {
        if context.direction == .outbound {
            switch (state.phase, leg) {
            case (.dialingAgent, .agent):
                log(&step, "agent_answered", agents: state.agent.map { [$0] })
                state.phase = .dialingCustomer
                step.effects.append(.pickedUp)
                if let customer = context.customer {
                    step.instructions.append(
                        .dial(Instruction.Dial(agents: [], ringSeconds: 45, strategy: nil, customer: customer, callerID: context.did, warm: false)))
                }
            case (.dialingCustomer, .customer), (.dialingAgent, .customer):
                state.phase = .connected
                state.answeredBy = state.agent
                log(&step, "customer_answered")
                if let placing = state.agent { step.effects.append(.answered(placing, department: nil)) }
            default:
                return
            }
            return
        }
        // Without the agent the call would stay ringing while someone talks, and end as missed.
        guard let agent else { throw CallEventError.answerWithoutAgent }
        guard let offer = state.offer, offer.ringing.contains(agent) else {
            log(&step, "answer_ignored", agents: [agent])
            return
        }
        log(&step, "answered", agents: [agent])
        state.offer = nil
        if let pending = state.transfer {
            state.transfer = nil
            // CR-44: the call log records the transfer as `transferagent`, from whom to whom, when it was taken.
            log(&step, "transferagent", agents: [pending.from, agent], detail: pending.mode.rawValue)
            step.effects.append(.transferred(from: pending.from, to: agent, department: offer.department, mode: pending.mode))
            if pending.mode == .warm { step.effects.append(.released(pending.from)) }
        }
        state.phase = .connected
        state.agent = agent
        state.answeredBy = agent
        if let department = offer.department { state.department = department }
        step.effects.append(.answered(agent, department: offer.department ?? state.department))
    }

    private func offerFailed(leg: SwitchEvent.Leg, _ state: inout CallState, _ step: inout Step) async throws {
        if context.direction == .outbound {
            // CR-55: an outbound leg that never rings or never answers fails the call.
            guard state.phase == .dialingAgent || state.phase == .dialingCustomer else { return }
            end(&state, &step, reason: .outboundFailed)
            return
        }
        guard state.offer != nil else { return }
        try await offerNext(&state, &step)
    }

    // MARK: Transfer (CR-43 … CR-45)

    private func transfer(
        by party: SwitchEvent.Party, agent: UserID?, to target: TransferTarget, mode: CallTransferred.Mode, _ state: inout CallState,
        _ step: inout Step
    ) async throws {
        guard party == .agent else { throw CallEventError.callerCannotTransfer }
        guard context.direction == .inbound else { throw CallEventError.outboundTransfer }
        guard state.phase == .connected, state.transfer == nil, let current = state.agent else { throw CallEventError.notConnected }
        guard agent == nil || agent == current else { throw CallEventError.notTheConnectedAgent }
        log(&step, "transfer_requested", agents: [current], detail: mode.rawValue)
        let destination: TransferTarget
        switch target {
        case .extension(let number):
            guard let found = try await directory.agent(extension: number) else { throw CallEventError.transferTargetUnknown }
            destination = .user(found.id)
        case .user(let id):
            guard try await !directory.agents([id]).isEmpty else { throw CallEventError.transferTargetUnknown }
            destination = target
        case .department(let id):
            guard try await directory.department(id) != nil else { throw CallEventError.transferTargetUnknown }
            destination = target
        }
        state.transfer = CallState.PendingTransfer(from: current, mode: mode)
        if mode == .blind {
            // The first agent drops at once; the caller hears hold music while the target rings (CR-44).
            state.agent = nil
            state.phase = .ringing
            step.effects.append(.released(current))
        }
        switch destination {
        case .user(let id):
            try await ringUser(id, ringSeconds: DepartmentRules.defaultRingSeconds, fallback: .voicemail, &state, &step)
        case .department(let id):
            try await route(id, &state, &step)
        case .extension:
            throw CallEventError.transferTargetUnknown
        }
    }

    // MARK: End

    private func end(_ state: inout CallState, _ step: inout Step, reason: HangupReason?) {
        guard state.phase != .ended else { return }
        if let reason { step.instructions.append(.hangup(reason: reason)) }
        if let agent = state.agent { step.effects.append(.released(agent)) }
        if let pending = state.transfer, pending.mode == .warm, pending.from != state.agent { step.effects.append(.released(pending.from)) }
        let outcome = CallOutcome.resolve(direction: context.direction, state: state)
        state.phase = .ended
        state.offer = nil
        state.node = nil
        state.transfer = nil
        log(&step, "ended", detail: outcome.rawValue)
        step.effects.append(.ended(outcome))
    }

    private func log(_ step: inout Step, _ kind: String, node: String? = nil, agents: [UserID]? = nil, detail: String? = nil) {
        step.journey.append(JourneyEntry(at: context.now, kind: kind, nodeID: node, agents: agents, detail: detail))
    }
}

/// CR-51, CR-53, CR-55, D-07: how a call that reached the platform ends up in its log.
enum CallOutcome {
    /// Inbound: an agent answered → `connected`; else a voicemail was left → `voicemail`; else `missed` (the call
    /// reached the IVR but nobody answered in time). Outbound: the customer answered → `connected`, else `failed`.
    /// (`rejected` and `no_flow` are decided before the flow runs; `lost` calls have no log at all.)
    static func resolve(direction: CallCompleted.Direction, state: CallState) -> CallCompleted.Outcome {
        switch direction {
        case .inbound:
            if state.answeredBy != nil { return .connected }
            return state.voicemailRecorded ? .voicemail : .missed
        case .outbound:
            return state.answeredBy != nil ? .connected : .failed
        }
    }
}
