@testable import CallRouter
import Contracts
import Foundation
import ServiceKit
import Testing

@Suite("CallRouter flow validation")
struct FlowValidationTests {
    let sales = DepartmentID()
    let agent = UserID()

    func menu(_ id: String = "main", options: [String: String], repeat count: Int = 2, timeout: Int = 5, fallback: FallbackTarget = .voicemail) -> FlowNode {
        FlowNode(id: id, kind: .menu(.init(prompt: "welcome.mp3", options: options, repeat: count, timeoutSeconds: timeout, fallback: fallback)))
    }

    func department(_ id: String) -> FlowNode { FlowNode(id: id, kind: .department(.init(departmentID: sales))) }

    func violations(_ nodes: [FlowNode], start: String = "main", operator target: FallbackTarget? = nil) -> [FlowViolation] {
        FlowValidation.violations(of: CallFlowGraph(start: start, nodes: nodes, operator: target), users: [agent], departments: [sales])
    }

    @Test("CR-04: in production an input node's webhook on a private network is callflow.input.webhook_private")
    func cr04PrivateWebhook() {
        let ask = FlowNode(id: "main", kind: .input(.init(prompt: "enter.mp3", webhookURL: "http://169.254.169.254/ivr", fallbackNode: "sales")))
        let graph = CallFlowGraph(start: "main", nodes: [ask, department("sales")], operator: nil)
        let production = FlowValidation.violations(of: graph, users: [agent], departments: [sales], webhooks: OutboundURLPolicy(allowPrivateNetworks: false))
        #expect(production.map(\.code) == ["callflow.input.webhook_private"])
        #expect(production.first?.nodeID == "main")
        #expect(FlowValidation.violations(of: graph, users: [agent], departments: [sales], webhooks: OutboundURLPolicy(allowPrivateNetworks: true)) == [])
    }

    @Test("D-03: a valid flow has no violations")
    func valid() {
        #expect(violations([menu(options: ["1": "sales"]), department("sales")]) == [])
    }

    @Test("CR-06, D-01: a tenth option is callflow.menu.too_many_options")
    func cr06TooManyOptions() {
        var options: [String: String] = [:]
        for key in 1...9 { options[String(key)] = "sales" }
        #expect(violations([menu(options: options), department("sales")]) == [])
        options["10"] = "sales"
        let found = violations([menu(options: options), department("sales")])
        #expect(found.map(\.code).contains("callflow.menu.too_many_options"))
        #expect(found.map(\.code).contains("callflow.menu.invalid_key"))
        #expect(found.allSatisfy { $0.nodeID == "main" })
    }

    @Test("CR-06, D-01: keys 0, * and # are reserved", arguments: ["0", "*", "#"])
    func d01ReservedKeys(key: String) {
        let found = violations([menu(options: ["1": "sales", key: "sales"]), department("sales")])
        #expect(found.map(\.code) == ["callflow.menu.reserved_key"])
        #expect(found.first?.field == "options.\(key)")
    }

    @Test("CR-05, D-03: every option and fallback must point at an existing target; all are reported with their node")
    func d03MissingTargets() {
        let ghostDepartment = DepartmentID(), ghostUser = UserID()
        let nodes = [
            menu(options: ["1": "sales", "2": "nowhere"], fallback: .user(ghostUser)),
            department("sales"),
            FlowNode(id: "support", kind: .department(.init(departmentID: ghostDepartment))),
            FlowNode(id: "ext", kind: .extension(.init(userID: ghostUser, ringSeconds: 25, fallback: .operator))),
        ]
        let found = violations(nodes)
        #expect(found.map(\.code) == [
            "callflow.target.missing", "callflow.target.missing", "callflow.target.missing", "callflow.target.missing", "callflow.operator.missing",
        ])
        #expect(found.map(\.nodeID) == ["main", "main", "support", "ext", "ext"])
        #expect(found.map(\.field) == ["options.2", "fallback", "department_id", "user_id", "fallback"])
    }

    @Test("CR-19: menu repeat is 1 to 10", arguments: [(0, false), (1, true), (2, true), (10, true), (11, false)])
    func cr19RepeatRange(count: Int, valid: Bool) {
        let found = violations([menu(options: ["1": "sales"], repeat: count), department("sales")])
        #expect(found.isEmpty == valid)
        if !valid { #expect(found.map(\.code) == ["callflow.menu.repeat_out_of_range"]) }
    }

    @Test("D-01: the no-input timeout is 3 to 15 seconds", arguments: [(2, false), (3, true), (15, true), (16, false)])
    func d01TimeoutRange(seconds: Int, valid: Bool) {
        #expect(violations([menu(options: ["1": "sales"], timeout: seconds), department("sales")]).isEmpty == valid)
    }

    @Test("CR-22: voicemail records 6 to 60 seconds", arguments: [(5, false), (6, true), (30, true), (60, true), (61, false)])
    func cr22VoicemailBounds(seconds: Int, valid: Bool) {
        let nodes = [menu(options: ["1": "vm"]), FlowNode(id: "vm", kind: .voicemail(.init(greeting: nil, maxSeconds: seconds)))]
        let found = violations(nodes)
        #expect(found.isEmpty == valid)
        if !valid { #expect(found.first?.code == "callflow.voicemail.timeout_out_of_range") }
    }

    @Test("CR-03: node ids are unique and well-formed")
    func cr03NodeIDs() {
        let found = violations([menu(options: ["1": "sales"]), department("sales"), department("sales"), department("bad id")])
        #expect(found.map(\.code) == ["callflow.node.duplicate_id", "callflow.node.invalid_id"])
    }

    @Test("A flow whose messages loop without waiting is refused")
    func loop() {
        let nodes = [
            FlowNode(id: "main", kind: .message(.init(audio: "a.mp3", next: "b"))),
            FlowNode(id: "b", kind: .message(.init(audio: "b.mp3", next: "main"))),
        ]
        #expect(violations(nodes).map(\.code) == ["callflow.loop"])
        // Through a menu the loop waits for the caller and is fine.
        #expect(violations([menu(options: ["1": "again"]), FlowNode(id: "again", kind: .message(.init(audio: "a.mp3", next: "main")))]) == [])
    }

    @Test("CR-04: an input node needs an http(s) webhook and an existing fallback branch")
    func cr04InputNode() {
        let input = FlowNode(
            id: "main", kind: .input(.init(prompt: "p.mp3", maxDigits: 6, timeoutSeconds: 5, webhookURL: "ftp://crm.example", fallbackNode: "gone")))
        #expect(violations([input]).map(\.code) == ["callflow.input.webhook_invalid", "callflow.target.missing"])
    }

    @Test("CR-02: the flow graph reads the documented JSON, with D-01 defaults for omitted fields")
    func decoding() throws {
        let json = """
            {"start":"main","operator":{"type":"department","department_id":"\(sales)"},"nodes":[
              {"id":"main","type":"menu","prompt":"welcome.mp3","options":{"1":"sales","2":"hours"}},
              {"id":"sales","type":"department","department_id":"\(sales)"},
              {"id":"hours","type":"time_condition","schedule":{"slots":[{"days":[1,2,3,4,5],"start":"09:00","end":"18:00"}]},"open":"sales","closed":"vm"},
              {"id":"vm","type":"voicemail"}
            ]}
            """
        let graph = try JSONCoding.decoder().decode(CallFlowGraph.self, from: Data(json.utf8))
        guard case .menu(let main) = graph.node("main")?.kind, case .voicemail(let vm) = graph.node("vm")?.kind else {
            Issue.record("wrong node kinds")
            return
        }
        #expect(main.repeat == 2 && main.timeoutSeconds == 5 && main.fallback == .disconnect)
        #expect(vm.maxSeconds == 30)
        #expect(graph.operator == .department(sales))
        #expect(FlowValidation.violations(of: graph, users: [], departments: [sales]) == [])
        let again = try JSONCoding.decoder().decode(CallFlowGraph.self, from: JSONCoding.encoder().encode(graph))
        #expect(again == graph)
        #expect(graph.assigned == nil)
        // CR-42: assigned routing, with its defaults.
        let assigned = try JSONCoding.decoder().decode(
            CallFlowGraph.self, from: Data(#"{"start":"vm","nodes":[{"id":"vm","type":"voicemail"}],"assigned":{}}"#.utf8))
        #expect(assigned.assigned == AssignedRouting(ringSeconds: 25, fallback: .voicemail))
        let routed = try JSONCoding.decoder().decode(
            CallFlowGraph.self,
            from: Data(#"{"start":"vm","nodes":[{"id":"vm","type":"voicemail"}],"assigned":{"ring_seconds":12,"fallback":{"type":"department","department_id":"\#(sales)"}}}"#.utf8))
        #expect(routed.assigned == AssignedRouting(ringSeconds: 12, fallback: .department(sales)))
        #expect(try JSONCoding.decoder().decode(CallFlowGraph.self, from: JSONCoding.encoder().encode(routed)) == routed)
    }

    @Test("D-01: keys in a menu: 1–9 options, * replays, 0 operator, # ends input, two digits an extension when direct dialing is on")
    func d01KeyInterpretation() {
        let options = ["1": "sales"]
        #expect(MenuRules.interpret("1", options: options, directDialing: false) == .option("1"))
        #expect(MenuRules.interpret("1#", options: options, directDialing: false) == .option("1"))
        #expect(MenuRules.interpret("2", options: options, directDialing: false) == .invalid)
        #expect(MenuRules.interpret("*", options: options, directDialing: false) == .replay)
        #expect(MenuRules.interpret("0", options: options, directDialing: false) == .operator)
        #expect(MenuRules.interpret("#", options: options, directDialing: false) == .noInput)
        #expect(MenuRules.interpret("22", options: options, directDialing: true) == .directExtension(Extension(22)!))
        #expect(MenuRules.interpret("22", options: options, directDialing: false) == .invalid)
        #expect(MenuRules.interpret("09", options: options, directDialing: true) == .invalid)
    }

    @Test("CR-19: total plays are one plus the repeat count")
    func cr19TotalPlays() {
        #expect(MenuRules.totalPlays(repeat: 2) == 3)
        #expect(MenuRules.totalPlays(repeat: 10) == 11)
    }
}
