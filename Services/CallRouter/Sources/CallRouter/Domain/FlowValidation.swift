import Contracts
import ServiceKit
import Foundation

/// One thing wrong with a flow, pointing at the node that has it (D-03: publish answers 422 with the node ids).
struct FlowViolation: Hashable, Sendable, Codable {
    var code: String
    var nodeID: String?
    var field: String
    var message: String

    enum CodingKeys: String, CodingKey {
        case code, field, message
        case nodeID = "node_id"
    }
}

/// D-03, CR-05, CR-06, CR-19, CR-22, D-01: everything a flow must satisfy before it is published. All violations are
/// reported at once. `users` and `departments` are the ids that exist in the company now; `webhooks` says where an
/// input node's webhook may point.
enum FlowValidation {
    static let maxNodes = 500

    static func violations(
        of graph: CallFlowGraph, users: Set<UserID>, departments: Set<DepartmentID>,
        webhooks: OutboundURLPolicy = OutboundURLPolicy(allowPrivateNetworks: false)
    ) -> [FlowViolation] {
        var found: [FlowViolation] = []
        func add(_ code: String, _ node: String?, _ field: String, _ message: String) {
            found.append(FlowViolation(code: code, nodeID: node, field: field, message: message))
        }
        let ids = Set(graph.nodes.map(\.id))

        if graph.nodes.isEmpty { add("callflow.empty", nil, "nodes", "A call flow needs at least one node.") }
        if graph.nodes.count > maxNodes { add("callflow.too_many_nodes", nil, "nodes", "A call flow has at most \(maxNodes) nodes.") }
        if !ids.contains(graph.start) { add("callflow.start.missing", graph.start, "start", "The start node \(graph.start) does not exist.") }
        var seen: Set<String> = []
        for node in graph.nodes {
            if !isNodeID(node.id) {
                add("callflow.node.invalid_id", node.id, "id", "A node id has 1 to 40 letters, digits, '-' or '_'.")
            }
            if !seen.insert(node.id).inserted {
                add("callflow.node.duplicate_id", node.id, "id", "Node id \(node.id) is used twice; node ids are unique (CR-03).")
            }
        }

        func checkTarget(_ target: FallbackTarget, node: String?, field: String) {
            switch target {
            case .user(let id) where !users.contains(id):
                add("callflow.target.missing", node, field, "The fallback user \(id) does not exist.")
            case .department(let id) where !departments.contains(id):
                add("callflow.target.missing", node, field, "The fallback department \(id) does not exist.")
            case .operator where graph.operator == nil:
                add("callflow.operator.missing", node, field, "The fallback is the operator, but the flow has no operator destination.")
            case .message(let audio) where !isAudio(audio):
                add("callflow.audio.invalid", node, field, "An audio reference has 1 to 200 characters.")
            default: break
            }
        }
        func checkNext(_ next: String, node: String, field: String) {
            if !ids.contains(next) { add("callflow.target.missing", node, field, "\(field) points at node \(next), which does not exist.") }
        }

        if let op = graph.operator {
            if op == .operator { add("callflow.operator.self", nil, "operator", "The operator destination cannot be the operator itself.") }
            checkTarget(op, node: nil, field: "operator")
        }
        if let music = graph.musicOnHold, let problem = MusicOnHold.violation(music) {
            add("callflow.music_on_hold.invalid", nil, "music_on_hold", problem)
        }
        if let assigned = graph.assigned {
            if !DepartmentRules.ringRange.contains(assigned.ringSeconds) {
                add("callflow.ring_out_of_range", nil, "assigned.ring_seconds", "Ring time is 10 to 25 seconds (CR-39).")
            }
            checkTarget(assigned.fallback, node: nil, field: "assigned.fallback")
        }

        for node in graph.nodes {
            switch node.kind {
            case .menu(let menu):
                checkAudio(menu.prompt, node.id, "prompt", &found)
                if menu.options.isEmpty {
                    add("callflow.menu.no_options", node.id, "options", "A menu needs at least one option (CR-05).")
                }
                if menu.options.count > 9 {
                    add("callflow.menu.too_many_options", node.id, "options", "A menu has at most 9 options, keys 1–9; use a sub-menu for more (CR-06).")
                }
                for key in menu.options.keys.sorted() where !MenuRules.optionKeys.contains(key) {
                    if MenuRules.reservedKeys.contains(key) {
                        add("callflow.menu.reserved_key", node.id, "options.\(key)", "Key \(key) is reserved (0 operator, * replay, # end input) (D-01).")
                    } else {
                        add("callflow.menu.invalid_key", node.id, "options.\(key)", "Menu options use the single keys 1–9.")
                    }
                }
                for (key, next) in menu.options.sorted(by: { $0.key < $1.key }) { checkNext(next, node: node.id, field: "options.\(key)") }
                if !MenuRules.repeatRange.contains(menu.repeat) {
                    add("callflow.menu.repeat_out_of_range", node.id, "repeat", "Menu repeat is 1 to 10 (CR-19).")
                }
                if !MenuRules.timeoutRange.contains(menu.timeoutSeconds) {
                    add("callflow.menu.timeout_out_of_range", node.id, "timeout_seconds", "The no-input timeout is 3 to 15 seconds (D-01).")
                }
                checkTarget(menu.fallback, node: node.id, field: "fallback")
            case .extension(let target):
                if !users.contains(target.userID) {
                    add("callflow.target.missing", node.id, "user_id", "The user \(target.userID) does not exist.")
                }
                if !DepartmentRules.ringRange.contains(target.ringSeconds) {
                    add("callflow.ring_out_of_range", node.id, "ring_seconds", "Ring time is 10 to 25 seconds (CR-39).")
                }
                checkTarget(target.fallback, node: node.id, field: "fallback")
            case .department(let target):
                if !departments.contains(target.departmentID) {
                    add("callflow.target.missing", node.id, "department_id", "The department \(target.departmentID) does not exist.")
                }
            case .message(let message):
                checkAudio(message.audio, node.id, "audio", &found)
                if let next = message.next { checkNext(next, node: node.id, field: "next") }
            case .voicemail(let voicemail):
                if let greeting = voicemail.greeting { checkAudio(greeting, node.id, "greeting", &found) }
                if !VoicemailRules.secondsRange.contains(voicemail.maxSeconds) {
                    add("callflow.voicemail.timeout_out_of_range", node.id, "max_seconds", "Voicemail records 6 to 60 seconds (CR-22).")
                }
            case .input(let input):
                checkAudio(input.prompt, node.id, "prompt", &found)
                if !(1...20).contains(input.maxDigits) {
                    add("callflow.input.max_digits", node.id, "max_digits", "An input node collects 1 to 20 digits.")
                }
                if !MenuRules.timeoutRange.contains(input.timeoutSeconds) {
                    add("callflow.menu.timeout_out_of_range", node.id, "timeout_seconds", "The no-input timeout is 3 to 15 seconds (D-01).")
                }
                switch webhooks.refusal(of: input.webhookURL) {
                case .notHTTP?:
                    add("callflow.input.webhook_invalid", node.id, "webhook_url", "The input webhook must be an http or https URL (CR-04).")
                case .privateNetwork?:
                    add(
                        "callflow.input.webhook_private", node.id, "webhook_url",
                        "The input webhook must be on the public internet; addresses of private networks and of this platform are refused (CR-04).")
                case nil:
                    break
                }
                checkNext(input.fallbackNode, node: node.id, field: "fallback_node")
            case .language(let choice):
                checkAudio(choice.prompt, node.id, "prompt", &found)
                if choice.options.isEmpty {
                    add("callflow.language.no_options", node.id, "options", "A language node needs at least one language (CR-17).")
                }
                for key in choice.options.keys.sorted() where !MenuRules.optionKeys.contains(key) {
                    add("callflow.menu.invalid_key", node.id, "options.\(key)", "Language options use the single keys 1–9.")
                }
                for (key, option) in choice.options.sorted(by: { $0.key < $1.key }) {
                    if !isLanguage(option.language) {
                        add("callflow.language.invalid", node.id, "options.\(key).language", "A language is a code such as en, hi or ta-IN.")
                    }
                    checkNext(option.next, node: node.id, field: "options.\(key).next")
                }
            case .timeCondition(let condition):
                if let problem = condition.schedule.violation {
                    add("callflow.schedule.invalid", node.id, "schedule", "The schedule is invalid: \(problem) (CR-11).")
                }
                checkNext(condition.open, node: node.id, field: "open")
                checkNext(condition.closed, node: node.id, field: "closed")
            }
        }
        if let loop = loopWithoutWaiting(graph) {
            add("callflow.loop", loop, "next", "Node \(loop) leads back to itself without waiting for the caller; the call would never progress.")
        }
        return found
    }

    /// A cycle through only messages and time conditions would spin forever.
    static func loopWithoutWaiting(_ graph: CallFlowGraph) -> String? {
        let byID = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for start in graph.nodes where !start.waits {
            var stack = start.successors, visited: Set<String> = []
            while let id = stack.popLast() {
                if id == start.id { return start.id }
                guard visited.insert(id).inserted, let node = byID[id], !node.waits else { continue }
                stack += node.successors
            }
        }
        return nil
    }

    static func checkAudio(_ audio: String, _ node: String, _ field: String, _ found: inout [FlowViolation]) {
        if !isAudio(audio) {
            found.append(FlowViolation(code: "callflow.audio.invalid", nodeID: node, field: field, message: "An audio reference has 1 to 200 characters."))
        }
    }

    static func isNodeID(_ text: String) -> Bool {
        (1...40).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
        }
    }

    static func isAudio(_ text: String) -> Bool {
        (1...200).contains(text.count) && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    static func isLanguage(_ text: String) -> Bool {
        (2...10).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "-" || $0 == "_") }
    }
}
