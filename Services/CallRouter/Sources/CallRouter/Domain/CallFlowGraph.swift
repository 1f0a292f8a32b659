import Contracts

/// A call flow's graph (CR-02, CR-03, CR-17, CR-11): nodes with stable ids, where the call enters, and the operator
/// destination of key 0 (D-01). Drafts and published versions are both stored in this shape.
struct CallFlowGraph: Hashable, Sendable, Codable {
    var start: String
    var nodes: [FlowNode]
    /// D-01: where key `0` and the `operator` fallback go; none means key 0 counts as an invalid key.
    var `operator`: FallbackTarget?
    /// CR-42: when set, a caller bound to an agent (D-05) rings that agent instead of the first menu they reach.
    var assigned: AssignedRouting? = nil
    /// CR-25: the flow's music on hold, for departments without their own and for users and extensions it rings.
    var musicOnHold: String? = nil

    enum CodingKeys: String, CodingKey {
        case start, nodes, `operator`, assigned
        case musicOnHold = "music_on_hold"
    }

    func node(_ id: String) -> FlowNode? { nodes.first { $0.id == id } }
}

/// CR-42, D-05: assigned routing. A caller whose calls an agent answered within the sticky window is theirs: at the
/// first menu the call reaches, that agent rings instead, and the call goes to `fallback` (D-02) when the agent cannot
/// take it or does not answer. What comes before the menu (hours, language) still applies; an unbound caller hears the
/// menu.
struct AssignedRouting: Hashable, Sendable, Codable {
    var ringSeconds: Int = DepartmentRules.defaultRingSeconds
    var fallback: FallbackTarget = .voicemail

    enum CodingKeys: String, CodingKey {
        case fallback
        case ringSeconds = "ring_seconds"
    }

    init(ringSeconds: Int = DepartmentRules.defaultRingSeconds, fallback: FallbackTarget = .voicemail) {
        self.ringSeconds = ringSeconds
        self.fallback = fallback
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ringSeconds = try container.decodeIfPresent(Int.self, forKey: .ringSeconds) ?? DepartmentRules.defaultRingSeconds
        fallback = try container.decodeIfPresent(FallbackTarget.self, forKey: .fallback) ?? .voicemail
    }
}

/// One step of a flow. `id` is chosen by the designer and stays the same across versions (CR-03), so automations,
/// APIs and analytics can name it.
struct FlowNode: Hashable, Sendable, Codable {
    var id: String
    var kind: Kind

    enum Kind: Hashable, Sendable {
        case menu(Menu)
        case `extension`(ExtensionTarget)
        case department(DepartmentTarget)
        case message(Message)
        case voicemail(Voicemail)
        case input(Input)
        case language(LanguageChoice)
        case timeCondition(TimeCondition)
    }

    /// CR-06, CR-19, CR-20, D-01: a prompt and keys 1–9 leading to other nodes.
    struct Menu: Hashable, Sendable, Codable {
        var prompt: String
        var options: [String: String]
        /// CR-19: extra plays when the caller presses nothing (total plays = 1 + repeat).
        var `repeat`: Int = MenuRules.defaultRepeat
        var timeoutSeconds: Int = MenuRules.defaultTimeoutSeconds
        var fallback: FallbackTarget = .disconnect
    }

    /// CR-27: ring one user directly.
    struct ExtensionTarget: Hashable, Sendable, Codable {
        var userID: UserID
        var ringSeconds: Int = DepartmentRules.defaultRingSeconds
        var fallback: FallbackTarget = .voicemail
    }

    /// Hand the call to a department's strategy; the department carries its own fallback (D-02, D-04).
    struct DepartmentTarget: Hashable, Sendable, Codable {
        var departmentID: DepartmentID
    }

    /// Play and go on to `next`, or hang up when there is none.
    struct Message: Hashable, Sendable, Codable {
        var audio: String
        var next: String?
    }

    /// CR-22: record after the beep for at most `maxSeconds` (6–60, default 30, D-01).
    struct Voicemail: Hashable, Sendable, Codable {
        var greeting: String?
        var maxSeconds: Int = VoicemailRules.defaultSeconds
    }

    /// CR-04, WH-09: collect digits, POST them to the customer's webhook and go where its JSON answer says; on no
    /// answer within 3 s, an error, or an unknown node, take `fallbackNode`.
    struct Input: Hashable, Sendable, Codable {
        var prompt: String
        var maxDigits: Int = 1
        var timeoutSeconds: Int = MenuRules.defaultTimeoutSeconds
        var webhookURL: String
        var fallbackNode: String
    }

    /// CR-17: key → language; every later prompt plays in it.
    struct LanguageChoice: Hashable, Sendable, Codable {
        var prompt: String
        var options: [String: Option]

        struct Option: Hashable, Sendable, Codable {
            var language: String
            var next: String
        }
    }

    /// CR-11: inside working hours go to `open`, outside (or on a holiday) to `closed`.
    struct TimeCondition: Hashable, Sendable, Codable {
        var schedule: WorkingHours
        var open: String
        var closed: String
    }

    /// Every node id this node can lead to.
    var successors: [String] {
        switch kind {
        case .menu(let menu): Array(menu.options.values)
        case .message(let message): message.next.map { [$0] } ?? []
        case .input(let input): [input.fallbackNode]
        case .language(let choice): choice.options.values.map(\.next)
        case .timeCondition(let condition): [condition.open, condition.closed]
        case .extension, .department, .voicemail: []
        }
    }

    /// Whether the call waits here for the caller or an agent (a loop through only non-waiting nodes never ends).
    var waits: Bool {
        switch kind {
        case .message, .timeCondition: false
        default: true
        }
    }
}

// The JSON shape is flat: {"id": "…", "type": "menu", "prompt": "…", …}.
extension FlowNode {
    enum CodingKeys: String, CodingKey {
        case id, type
    }

    enum TypeName: String, Codable, CaseIterable {
        case menu, `extension`, department, message, voicemail, input, language
        case timeCondition = "time_condition"
    }

    var typeName: TypeName {
        switch kind {
        case .menu: .menu
        case .extension: .extension
        case .department: .department
        case .message: .message
        case .voicemail: .voicemail
        case .input: .input
        case .language: .language
        case .timeCondition: .timeCondition
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        switch try container.decode(TypeName.self, forKey: .type) {
        case .menu: kind = .menu(try Menu(from: decoder))
        case .extension: kind = .extension(try ExtensionTarget(from: decoder))
        case .department: kind = .department(try DepartmentTarget(from: decoder))
        case .message: kind = .message(try Message(from: decoder))
        case .voicemail: kind = .voicemail(try Voicemail(from: decoder))
        case .input: kind = .input(try Input(from: decoder))
        case .language: kind = .language(try LanguageChoice(from: decoder))
        case .timeCondition: kind = .timeCondition(try TimeCondition(from: decoder))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(typeName, forKey: .type)
        switch kind {
        case .menu(let value): try value.encode(to: encoder)
        case .extension(let value): try value.encode(to: encoder)
        case .department(let value): try value.encode(to: encoder)
        case .message(let value): try value.encode(to: encoder)
        case .voicemail(let value): try value.encode(to: encoder)
        case .input(let value): try value.encode(to: encoder)
        case .language(let value): try value.encode(to: encoder)
        case .timeCondition(let value): try value.encode(to: encoder)
        }
    }
}

// Optional fields take their D-01 defaults when absent.
extension FlowNode.Menu {
    enum CodingKeys: String, CodingKey {
        case prompt, options, `repeat`, fallback
        case timeoutSeconds = "timeout_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try container.decode(String.self, forKey: .prompt)
        options = try container.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        `repeat` = try container.decodeIfPresent(Int.self, forKey: .repeat) ?? MenuRules.defaultRepeat
        timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? MenuRules.defaultTimeoutSeconds
        fallback = try container.decodeIfPresent(FallbackTarget.self, forKey: .fallback) ?? .disconnect
    }
}

extension FlowNode.ExtensionTarget {
    enum CodingKeys: String, CodingKey {
        case fallback
        case userID = "user_id"
        case ringSeconds = "ring_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userID = try container.decode(UserID.self, forKey: .userID)
        ringSeconds = try container.decodeIfPresent(Int.self, forKey: .ringSeconds) ?? DepartmentRules.defaultRingSeconds
        fallback = try container.decodeIfPresent(FallbackTarget.self, forKey: .fallback) ?? .voicemail
    }
}

extension FlowNode.DepartmentTarget {
    enum CodingKeys: String, CodingKey {
        case departmentID = "department_id"
    }
}

extension FlowNode.Voicemail {
    enum CodingKeys: String, CodingKey {
        case greeting
        case maxSeconds = "max_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        greeting = try container.decodeIfPresent(String.self, forKey: .greeting)
        maxSeconds = try container.decodeIfPresent(Int.self, forKey: .maxSeconds) ?? VoicemailRules.defaultSeconds
    }
}

extension FlowNode.Input {
    enum CodingKeys: String, CodingKey {
        case prompt
        case maxDigits = "max_digits"
        case timeoutSeconds = "timeout_seconds"
        case webhookURL = "webhook_url"
        case fallbackNode = "fallback_node"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try container.decode(String.self, forKey: .prompt)
        maxDigits = try container.decodeIfPresent(Int.self, forKey: .maxDigits) ?? 1
        timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? MenuRules.defaultTimeoutSeconds
        webhookURL = try container.decode(String.self, forKey: .webhookURL)
        fallbackNode = try container.decode(String.self, forKey: .fallbackNode)
    }
}
