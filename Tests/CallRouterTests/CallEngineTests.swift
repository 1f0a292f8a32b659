@testable import CallRouter
import Contracts
import Foundation
import Synchronization
import Testing

@Suite("CallRouter call engine")
struct CallEngineTests {
    let directory = MemoryDirectory()
    let agents = (11...18).map { MemoryDirectory.agent($0) }
    let sales = DepartmentID()
    let support = DepartmentID()
    let caller = PhoneNumber(e164: "+919811111111")!
    let start = Date(timeIntervalSince1970: 1_796_000_000)

    init() {
        for agent in agents { directory.add(agent) }
        directory.add(
            Department(
                id: sales, name: "Sales", managerID: nil, members: agents[0..<3].map(\.id), strategy: .serial, ringSeconds: 20, sticky: .off,
                fallback: .voicemail, lastOffered: nil))
        directory.add(
            Department(
                id: support, name: "Support", managerID: nil, members: agents[3..<8].map(\.id), strategy: .balanced, ringSeconds: 15,
                sticky: .off, fallback: .disconnect, lastOffered: nil))
    }

    func flow(repeat count: Int = 2, fallback: FallbackTarget = .voicemail, operator target: FallbackTarget? = .department(DepartmentID())) -> CallFlowGraph {
        CallFlowGraph(
            start: "main",
            nodes: [
                FlowNode(id: "main", kind: .menu(.init(prompt: "welcome.mp3", options: ["1": "sales", "2": "support", "3": "crm"], repeat: count, timeoutSeconds: 5, fallback: fallback))),
                FlowNode(id: "sales", kind: .department(.init(departmentID: sales))),
                FlowNode(id: "support", kind: .department(.init(departmentID: support))),
                FlowNode(id: "crm", kind: .input(.init(prompt: "id.mp3", maxDigits: 6, timeoutSeconds: 5, webhookURL: "https://crm.example/ivr", fallbackNode: "bye"))),
                FlowNode(id: "bye", kind: .message(.init(audio: "bye.mp3", next: nil))),
            ],
            operator: target)
    }

    func engine(_ graph: CallFlowGraph? = nil, direct: Bool = false, direction: CallCompleted.Direction = .inbound, at offset: TimeInterval = 0) -> CallEngine {
        let now = start.addingTimeInterval(offset)
        return CallEngine(
            flow: graph ?? flow(), directory: directory,
            context: CallContext(
                uid: CallID(), direction: direction, did: PhoneNumber(e164: "+911140000000")!, customer: caller, now: now,
                moment: LocalMoment(now, timeZone: TimeZone(identifier: "Asia/Kolkata")!), suspended: false, directDialing: direct,
                stickyWindowDays: 7))
    }

    func dialled(_ step: Step) -> [UserID]? {
        for case .dial(let dial) in step.instructions { return dial.agents.map(\.userID) }
        return nil
    }

    func outcome(_ step: Step) -> CallCompleted.Outcome? {
        for case .ended(let outcome) in step.effects { return outcome }
        return nil
    }

    @Test("CR-19, CR-20, CR-21: no input replays the menu 1 + repeat times, then the menu fallback")
    func cr19RepeatThenFallback() async throws {
        let engine = engine(flow(repeat: 2, fallback: .voicemail))
        var state = CallState()
        let first = try await engine.start(&state, dialedExtension: nil)
        #expect(first.instructions == [.play(audio: "welcome.mp3", language: nil), .gather(maxDigits: 1, timeoutSeconds: 5)])
        for _ in 0..<2 {
            let replay = try await engine.handle(.noInput, &state)
            #expect(replay.instructions.first == .play(audio: "welcome.mp3", language: nil))
        }
        #expect(state.plays == 3)
        let last = try await engine.handle(.noInput, &state)
        #expect(last.instructions == [.recordVoicemail(maxSeconds: 30)])
        #expect(state.phase == .voicemail)
        let recorded = try await engine.handle(.voicemailRecorded(url: "https://rec/1.mp3", seconds: 12), &state)
        #expect(recorded.instructions == [.hangup(reason: .voicemailSaved)])
        #expect(outcome(recorded) == .voicemail)
    }

    @Test("D-02: a message fallback plays its audio and disconnects; a user fallback rings that user, then voicemail")
    func d02MessageAndUserFallbacks() async throws {
        var state = CallState()
        let messaged = engine(flow(repeat: 0, fallback: .message(audio: "closed.mp3")))
        _ = try await messaged.start(&state, dialedExtension: nil)
        let played = try await messaged.handle(.noInput, &state)
        #expect(played.instructions == [.play(audio: "closed.mp3", language: nil), .hangup(reason: .disconnect)])
        #expect(state.phase == .ended)
        #expect(outcome(played) == .missed)

        state = CallState()
        let ringing = engine(flow(repeat: 0, fallback: .user(agents[5].id)))
        _ = try await ringing.start(&state, dialedExtension: nil)
        let rang = try await ringing.handle(.noInput, &state)
        #expect(dialled(rang) == [agents[5].id])
        #expect(state.phase == .ringing)
        let unanswered = try await ringing.handle(.offerTimeout(leg: .agent), &state)
        #expect(unanswered.instructions == [.recordVoicemail(maxSeconds: 30)])
        #expect(state.phase == .voicemail)
    }

    @Test("CR-07: a menu option may lead to another menu in the same flow; its keys, plays and repeats are its own")
    func cr07NestedMenus() async throws {
        let graph = CallFlowGraph(
            start: "main",
            nodes: [
                FlowNode(id: "main", kind: .menu(.init(prompt: "welcome.mp3", options: ["1": "more", "2": "sales"], repeat: 2, timeoutSeconds: 5))),
                FlowNode(id: "more", kind: .menu(.init(prompt: "more.mp3", options: ["1": "main", "2": "support"], repeat: 1, timeoutSeconds: 7))),
                FlowNode(id: "sales", kind: .department(.init(departmentID: sales))),
                FlowNode(id: "support", kind: .department(.init(departmentID: support))),
            ],
            operator: nil)
        #expect(FlowValidation.violations(of: graph, users: Set(agents.map(\.id)), departments: [sales, support]) == [])
        let engine = engine(graph)
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        _ = try await engine.handle(.noInput, &state)
        #expect(state.plays == 2)
        let sub = try await engine.handle(.dtmf("1"), &state)
        #expect(sub.instructions == [.play(audio: "more.mp3", language: nil), .gather(maxDigits: 1, timeoutSeconds: 7)])
        #expect(state.plays == 1, "the sub-menu's plays start again")
        // The same key means what the sub-menu says: 2 is Support here, Sales in the main menu.
        let ringing = try await engine.handle(.dtmf("2"), &state)
        let rung = try #require(dialled(ringing))
        #expect(!rung.isEmpty && Set(rung).isSubset(of: agents[3..<8].map(\.id)))
    }

    @Test("CR-15: a flow may start at a department: the call rings its agents at once, with no menu")
    func cr15DirectForwarding() async throws {
        let graph = CallFlowGraph(start: "sales", nodes: [FlowNode(id: "sales", kind: .department(.init(departmentID: sales)))], operator: nil)
        #expect(FlowValidation.violations(of: graph, users: Set(agents.map(\.id)), departments: [sales]) == [])
        var state = CallState()
        let first = try await engine(graph).start(&state, dialedExtension: nil)
        #expect(dialled(first) == [agents[0].id])
        #expect(!first.instructions.contains { if case .gather = $0 { true } else { false } })
        #expect(!first.instructions.contains { if case .play = $0 { true } else { false } })
    }

    @Test("CR-18: a flow may start at voicemail (a voice OTP or message line): the caller records at once and the call ends as a voicemail")
    func cr18StraightToVoicemail() async throws {
        let graph = CallFlowGraph(start: "vm", nodes: [FlowNode(id: "vm", kind: .voicemail(.init(greeting: nil, maxSeconds: 60)))], operator: nil)
        #expect(FlowValidation.violations(of: graph, users: [], departments: []) == [])
        let engine = engine(graph)
        var state = CallState()
        let first = try await engine.start(&state, dialedExtension: nil)
        #expect(first.instructions == [.recordVoicemail(maxSeconds: 60)])
        let recorded = try await engine.handle(.voicemailRecorded(url: "https://rec/otp.mp3", seconds: 8), &state)
        #expect(outcome(recorded) == .voicemail)
    }

    @Test("CR-61: a caller who hangs up to finish a voicemail leaves a voicemail; hanging up at the greeting without one is missed")
    func cr61HangupEndsVoicemail() async throws {
        let engine = engine(flow(repeat: 0, fallback: .voicemail))
        for (recording, expected) in [("https://rec/2.mp3", CallCompleted.Outcome.voicemail), (nil, .missed)] {
            var state = CallState()
            _ = try await engine.start(&state, dialedExtension: nil)
            _ = try await engine.handle(.noInput, &state)
            #expect(state.phase == .voicemail)
            let hungUp = try await engine.handle(.hangup(recordingURL: recording), &state)
            #expect(outcome(hungUp) == expected)
            #expect(state.voicemailRecorded == (recording != nil))
        }
        // Answered, then blind-transferred to someone who does not answer: voicemail, but the recording is the call's.
        var state = CallState()
        _ = try await self.engine().start(&state, dialedExtension: nil)
        _ = try await self.engine().handle(.dtmf("1"), &state)
        _ = try await self.engine().handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        _ = try await self.engine().handle(.transfer(by: .agent, agent: nil, to: .user(agents[5].id), mode: .blind), &state)
        _ = try await self.engine().handle(.offerTimeout(leg: .agent), &state)
        #expect(state.phase == .voicemail)
        let hungUp = try await self.engine().handle(.hangup(recordingURL: "https://rec/call.mp3"), &state)
        #expect(outcome(hungUp) == .connected)
        #expect(!state.voicemailRecorded)
    }

    @Test("An inbound offer answered without naming the agent is refused, not ignored (the call would end as missed)")
    func answerNamesTheAgent() async throws {
        let engine = engine()
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        _ = try await engine.handle(.dtmf("1"), &state)
        let before = state
        await #expect(throws: CallEventError.answerWithoutAgent) { try await engine.handle(.offerAnswered(agent: nil, leg: .agent), &state) }
        #expect(state == before)
        let answered = try await engine.handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        #expect(answered.effects.contains { if case .answered = $0 { true } else { false } })
    }

    @Test("CR-51: a caller who hangs up while agents ring is a missed call")
    func cr51Missed() async throws {
        let engine = engine()
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        let ringing = try await engine.handle(.dtmf("1"), &state)
        #expect(dialled(ringing) == [agents[0].id])
        let hungUp = try await engine.handle(.hangup(recordingURL: nil), &state)
        #expect(outcome(hungUp) == .missed)
        #expect(hungUp.instructions == [])
    }

    @Test("D-04, CR-39: serial tries each member for the ring time, then the department fallback")
    func d04SerialThenFallback() async throws {
        let engine = engine()
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        var offered: [UserID] = []
        var step = try await engine.handle(.dtmf("1"), &state)
        while let agents = dialled(step) {
            offered += agents
            guard case .dial(let dial)? = step.instructions.last else { break }
            #expect(dial.ringSeconds == 20)
            step = try await engine.handle(.offerTimeout(leg: .agent), &state)
        }
        #expect(offered == agents[0..<3].map(\.id))
        #expect(step.instructions == [.recordVoicemail(maxSeconds: 30)])
    }

    @Test("D-06: members who are away, opted out or on a call are skipped")
    func d06SkipsIneligible() async throws {
        directory.update(agents[0].id) { $0.availability = .away }
        directory.update(agents[1].id) { $0.onCall = true }
        let engine = engine()
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        let step = try await engine.handle(.dtmf("1"), &state)
        #expect(dialled(step) == [agents[2].id])
    }

    @Test("CR-51: an answered call is connected and names the agent and department")
    func answered() async throws {
        let engine = engine()
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        _ = try await engine.handle(.dtmf("1"), &state)
        let answered = try await engine.handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        #expect(answered.effects == [.answered(agents[0].id, department: sales)])
        let ended = try await engine.handle(.hangup(recordingURL: "https://rec/2.mp3"), &state)
        #expect(ended.effects == [.released(agents[0].id), .ended(.connected)])
    }

    @Test("D-04: balanced rotation continues across two replicas sharing the cursor")
    func d04BalancedAcrossReplicas() async throws {
        var firsts: [UserID] = []
        for call in 0..<10 {
            // Alternate two engines (two replicas) over the same shared directory.
            let replica = engine(at: TimeInterval(call))
            var state = CallState()
            _ = try await replica.start(&state, dialedExtension: nil)
            let step = try await replica.handle(.dtmf("2"), &state)
            firsts.append(try #require(dialled(step)?.first))
        }
        let members = agents[3..<8].map(\.id)
        #expect(firsts == members + members)
    }

    @Test("D-05: strict sticky with the bound agent away goes straight to the fallback; loose falls back to the strategy")
    func d05StickyStrictAndLoose() async throws {
        directory.state.withLock { $0.sticky[caller] = (agents[1].id, start.addingTimeInterval(-86_400)) }
        directory.update(agents[1].id) { $0.availability = .away }
        directory.state.withLock { $0.departments[sales]?.sticky = .strict }
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        let strict = try await engine().handle(.dtmf("1"), &state)
        #expect(dialled(strict) == nil)
        #expect(strict.instructions == [.recordVoicemail(maxSeconds: 30)])

        directory.state.withLock { $0.departments[sales]?.sticky = .loose }
        state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        let loose = try await engine().handle(.dtmf("1"), &state)
        #expect(dialled(loose) == [agents[0].id])

        directory.update(agents[1].id) { $0.availability = .available }
        state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        let bound = try await engine().handle(.dtmf("1"), &state)
        #expect(dialled(bound) == [agents[1].id])
        // Loose: the bound agent does not answer, the strategy continues without them.
        let next = try await engine().handle(.offerTimeout(leg: .agent), &state)
        #expect(dialled(next) == [agents[0].id])
    }

    @Test("D-05, CR-40: a binding older than the sticky window is ignored")
    func d05Window() async throws {
        directory.state.withLock { $0.sticky[caller] = (agents[2].id, start.addingTimeInterval(-8 * 86_400)) }
        directory.state.withLock { $0.departments[sales]?.sticky = .strict }
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        #expect(dialled(try await engine().handle(.dtmf("1"), &state)) == [agents[0].id])
    }

    @Test("CR-42, D-05: with assigned routing, a caller bound to an agent skips the menu and rings them; not eligible or no answer, the fallback; unbound, the menu")
    func cr42AssignedRouting() async throws {
        var graph = flow(operator: .department(sales))
        graph.assigned = AssignedRouting(ringSeconds: 15, fallback: .department(support))
        #expect(FlowValidation.violations(of: graph, users: Set(agents.map(\.id)), departments: [sales, support]) == [])
        // Nobody is bound yet: the menu as usual.
        var fresh = CallState()
        let menu = try await engine(graph).start(&fresh, dialedExtension: nil)
        #expect(menu.instructions.first == .play(audio: "welcome.mp3", language: nil))

        directory.state.withLock { $0.sticky[caller] = (agents[5].id, start.addingTimeInterval(-86_400)) }
        var state = CallState()
        let first = try await engine(graph).start(&state, dialedExtension: nil)
        #expect(dialled(first) == [agents[5].id])
        #expect(!first.instructions.contains { if case .play = $0 { true } else { false } }, "no menu")
        #expect(first.instructions.contains { if case .dial(let dial) = $0 { dial.ringSeconds == 15 } else { false } })
        // The agent does not answer: the assigned fallback (Support), without the agent who just rang, even where
        // Support's own stickiness would put them first.
        directory.state.withLock { $0.departments[support]?.sticky = .strict }
        var tried: Set<UserID> = []
        var next = try await engine(graph).handle(.offerTimeout(leg: .agent), &state)
        #expect(state.offer?.department == support)
        while let rung = dialled(next) {
            tried.formUnion(rung)
            next = try await engine(graph).handle(.offerTimeout(leg: .agent), &state)
        }
        #expect(tried == Set(agents[3..<8].map(\.id)).subtracting([agents[5].id]))
        directory.state.withLock { $0.departments[support]?.sticky = .off }

        // What comes before the menu still applies: after hours, the closed branch, not the agent.
        var hours = graph
        hours.start = "hours"
        hours.nodes.append(FlowNode(
            id: "hours", kind: .timeCondition(.init(schedule: WorkingHours(slots: [], holidays: []), open: "main", closed: "bye"))))
        var closed = CallState()
        let night = try await engine(hours).start(&closed, dialedExtension: nil)
        #expect(dialled(night) == nil)
        #expect(night.instructions.first == .play(audio: "bye.mp3", language: nil))

        // Bound to an agent who is away: straight to the fallback.
        directory.update(agents[5].id) { $0.availability = .away }
        var away = CallState()
        let fallback = try await engine(graph).start(&away, dialedExtension: nil)
        #expect(dialled(fallback).map { Set($0).isSubset(of: agents[3..<8].map(\.id)) && !$0.contains(agents[5].id) } == true)

        // Outside the sticky window the caller is nobody's.
        directory.state.withLock { $0.sticky[caller] = (agents[5].id, start.addingTimeInterval(-8 * 86_400)) }
        var old = CallState()
        #expect(try await engine(graph).start(&old, dialedExtension: nil).instructions.first == .play(audio: "welcome.mp3", language: nil))

        // A fallback that names nobody the company has is refused at publish; ring time keeps CR-39's range.
        graph.assigned = AssignedRouting(ringSeconds: 40, fallback: .user(UserID()))
        let problems = FlowValidation.violations(of: graph, users: Set(agents.map(\.id)), departments: [sales, support]).map(\.field)
        #expect(problems.sorted() == ["assigned.fallback", "assigned.ring_seconds"])
    }

    @Test("D-01: * replays without counting, 0 goes to the operator destination")
    func d01ReservedKeys() async throws {
        let engine = engine(flow(operator: .department(sales)))
        var state = CallState()
        _ = try await engine.start(&state, dialedExtension: nil)
        let replay = try await engine.handle(.dtmf("*"), &state)
        #expect(replay.instructions.first == .play(audio: "welcome.mp3", language: nil))
        #expect(state.plays == 1)
        let operatorStep = try await engine.handle(.dtmf("0"), &state)
        #expect(dialled(operatorStep) == [agents[0].id])
    }

    @Test("CR-16, CR-27, CR-30: direct dialing rings the extension, but never an opted-out agent")
    func cr30DirectDialing() async throws {
        var state = CallState()
        let direct = try await engine(direct: true).start(&state, dialedExtension: Extension(15))
        #expect(dialled(direct) == [agents[4].id])

        directory.update(agents[4].id) { $0.availability = .optOut }
        state = CallState()
        let refused = try await engine(direct: true).start(&state, dialedExtension: Extension(15))
        #expect(dialled(refused) == nil)
        #expect(refused.instructions.first == .play(audio: "welcome.mp3", language: nil))
        // Keyed in the menu: the same refusal, and the menu plays again.
        let keyed = try await engine(direct: true).handle(.dtmf("15"), &state)
        #expect(dialled(keyed) == nil)
        #expect(keyed.instructions.first == .play(audio: "welcome.mp3", language: nil))
        // Direct dialing off: a dialled extension is ignored.
        state = CallState()
        let off = try await engine(direct: false).start(&state, dialedExtension: Extension(12))
        #expect(dialled(off) == nil)
    }

    @Test("CR-04, WH-09: the input node follows the webhook's answer, or its fallback branch")
    func cr04InputWebhook() async throws {
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        _ = try await engine().handle(.dtmf("3"), &state)
        directory.state.withLock { $0.webhookAnswer = "sales" }
        let routed = try await engine().handle(.dtmf("123456#"), &state)
        #expect(dialled(routed) == [agents[0].id])
        #expect(directory.state.withLock { $0.webhookCalls.last?.digits } == "123456")

        state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        _ = try await engine().handle(.dtmf("3"), &state)
        directory.state.withLock { $0.webhookAnswer = nil }
        let fallback = try await engine().handle(.dtmf("42"), &state)
        #expect(fallback.instructions == [.play(audio: "bye.mp3", language: nil), .hangup(reason: .flowEnded)])
        #expect(outcome(fallback) == .missed)
    }

    @Test("CR-45: a caller cannot transfer; CR-43, CR-46: an agent's blind transfer rings the target and releases them; CR-44: the log records transferagent")
    func cr45Transfer() async throws {
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        _ = try await engine().handle(.dtmf("1"), &state)
        _ = try await engine().handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        await #expect(throws: CallEventError.callerCannotTransfer) {
            var copy = state
            _ = try await engine().handle(.transfer(by: .caller, agent: nil, to: .extension(Extension(14)!), mode: .blind), &copy)
        }
        let blind = try await engine().handle(.transfer(by: .agent, agent: agents[0].id, to: .extension(Extension(14)!), mode: .blind), &state)
        #expect(blind.effects == [.released(agents[0].id)])
        #expect(dialled(blind) == [agents[3].id])
        let taken = try await engine().handle(.offerAnswered(agent: agents[3].id, leg: .agent), &state)
        #expect(taken.effects == [
            .transferred(from: agents[0].id, to: agents[3].id, department: nil, mode: .blind), .answered(agents[3].id, department: sales),
        ])
        #expect(state.agent == agents[3].id)
        let logged = try #require(taken.journey.first { $0.kind == "transferagent" })
        #expect(logged.agents == [agents[0].id, agents[3].id])
        #expect(logged.detail == "blind")
        #expect(blind.journey.contains { $0.kind == "transferagent" } == false, "not before the target answers")
    }

    @Test("CR-43: a warm transfer keeps the first agent until the target answers; unanswered, the call stays with them")
    func cr43WarmTransfer() async throws {
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        _ = try await engine().handle(.dtmf("1"), &state)
        _ = try await engine().handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        let warm = try await engine().handle(.transfer(by: .agent, agent: nil, to: .user(agents[5].id), mode: .warm), &state)
        #expect(warm.effects == [])
        guard case .dial(let dial)? = warm.instructions.first else {
            Issue.record("no dial")
            return
        }
        #expect(dial.warm)
        let unanswered = try await engine().handle(.offerTimeout(leg: .agent), &state)
        #expect(unanswered.instructions == [])
        #expect(state.phase == .connected && state.agent == agents[0].id && state.transfer == nil)
    }

    @Test("CR-43, D-27: a warm transfer to a department nobody takes leaves the call in its first department; taken, it moves")
    func cr43WarmTransferKeepsDepartment() async throws {
        for answered in [false, true] {
            var state = CallState()
            _ = try await engine().start(&state, dialedExtension: nil)
            _ = try await engine().handle(.dtmf("1"), &state)
            _ = try await engine().handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
            #expect(state.department == sales)
            let warm = try await engine().handle(.transfer(by: .agent, agent: nil, to: .department(support), mode: .warm), &state)
            let ringing = try #require(dialled(warm))
            #expect(state.department == sales, "still Sales while Support rings")
            if answered {
                _ = try await engine().handle(.offerAnswered(agent: ringing[0], leg: .agent), &state)
                #expect(state.department == support)
            } else {
                // Support's balanced rotation has five members, one per round.
                for _ in 0..<5 { _ = try await engine().handle(.offerTimeout(leg: .agent), &state) }
                #expect(state.phase == .connected && state.agent == agents[0].id)
                #expect(state.department == sales)
            }
        }
    }

    @Test("CR-25: a department's music on hold plays while it rings, else the flow's; a transfer's hold music is the system's")
    func cr25MusicOnHold() async throws {
        func music(_ step: Step) -> String?? {
            for case .dial(let dial) in step.instructions { return .some(dial.musicOnHold) }
            return nil
        }
        var withMusic = try #require(try await directory.department(sales))
        withMusic.musicOnHold = "sales-hold.mp3"
        directory.add(withMusic)
        var graph = flow()
        graph.musicOnHold = "brand-hold.mp3"
        var state = CallState()
        _ = try await engine(graph).start(&state, dialedExtension: nil)
        #expect(music(try await engine(graph).handle(.dtmf("1"), &state)) == .some("sales-hold.mp3"))
        _ = try await engine(graph).handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        let transfer = try await engine(graph).handle(.transfer(by: .agent, agent: nil, to: .department(support), mode: .warm), &state)
        #expect(music(transfer) == .some(nil), "transfer-hold music cannot be customised")

        var other = CallState()
        _ = try await engine(graph).start(&other, dialedExtension: nil)
        #expect(music(try await engine(graph).handle(.dtmf("2"), &other)) == .some("brand-hold.mp3"), "Support has none of its own")
        var plain = CallState()
        _ = try await engine().start(&plain, dialedExtension: nil)
        #expect(music(try await engine().handle(.dtmf("2"), &plain)) == .some(nil), "neither: the switch's ringback")

        #expect(MusicOnHold.violation("hold.MP3") == nil)
        #expect(MusicOnHold.violation("hold.wav") != nil)
        #expect(MusicOnHold.violation(".mp3") != nil)
        #expect(MusicOnHold.violation(String(repeating: "a", count: 197) + ".mp3") != nil)
        #expect(FlowValidation.violations(of: { var bad = flow(operator: nil); bad.musicOnHold = "hold.ogg"; return bad }(), users: [], departments: [sales, support])
            .contains { $0.code == "callflow.music_on_hold.invalid" && $0.field == "music_on_hold" })
    }

    @Test("CR-43: a warm transfer to an agent who cannot take it fails back at once; unknown targets are refused")
    func cr43WarmTransferToUnavailable() async throws {
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        _ = try await engine().handle(.dtmf("1"), &state)
        _ = try await engine().handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        directory.update(agents[5].id) { $0.availability = .away }
        let warm = try await engine().handle(.transfer(by: .agent, agent: nil, to: .user(agents[5].id), mode: .warm), &state)
        #expect(warm.instructions == [])
        #expect(state.phase == .connected && state.agent == agents[0].id && state.transfer == nil)
        await #expect(throws: CallEventError.transferTargetUnknown) {
            var copy = state
            _ = try await engine().handle(.transfer(by: .agent, agent: nil, to: .department(DepartmentID()), mode: .blind), &copy)
        }
        await #expect(throws: CallEventError.transferTargetUnknown) {
            var copy = state
            _ = try await engine().handle(.transfer(by: .agent, agent: nil, to: .user(UserID()), mode: .blind), &copy)
        }
    }

    @Test("CR-54: a not-reachable agent is recorded on the call")
    func cr54NotReachable() async throws {
        var state = CallState()
        _ = try await engine().start(&state, dialedExtension: nil)
        _ = try await engine().handle(.dtmf("1"), &state)
        let next = try await engine().handle(.offerRejected(reason: .notReachable, leg: .agent), &state)
        #expect(state.notReachable)
        #expect(dialled(next) == [agents[1].id])
    }

    @Test("CR-55, CR-76: click-to-call dials the agent, then the customer; an unanswered customer leg fails the call")
    func cr55Outbound() async throws {
        let outbound = engine(CallFlowGraph(start: "", nodes: [], operator: nil), direction: .outbound)
        var state = CallState(phase: .dialingAgent)
        state.agent = agents[0].id
        let agentUp = try await outbound.handle(.offerAnswered(agent: agents[0].id, leg: .agent), &state)
        #expect(agentUp.effects == [.pickedUp])
        guard case .dial(let dial)? = agentUp.instructions.first else {
            Issue.record("no customer dial")
            return
        }
        #expect(dial.customer == caller)
        let failed = try await outbound.handle(.offerTimeout(leg: .customer), &state)
        #expect(outcome(failed) == .failed)
        #expect(failed.effects.contains(.released(agents[0].id)))
    }

    @Test("CR-17: a language node sets the language of every later prompt")
    func cr17Language() async throws {
        let graph = CallFlowGraph(
            start: "lang",
            nodes: [
                FlowNode(id: "lang", kind: .language(.init(prompt: "choose.mp3", options: ["1": .init(language: "en", next: "main"), "2": .init(language: "hi", next: "main")]))),
                FlowNode(id: "main", kind: .menu(.init(prompt: "welcome.mp3", options: ["1": "sales"]))),
                FlowNode(id: "sales", kind: .department(.init(departmentID: sales))),
            ],
            operator: nil)
        var state = CallState()
        _ = try await engine(graph).start(&state, dialedExtension: nil)
        let chosen = try await engine(graph).handle(.dtmf("2"), &state)
        #expect(chosen.instructions.first == .play(audio: "welcome.mp3", language: "hi"))
    }
}
