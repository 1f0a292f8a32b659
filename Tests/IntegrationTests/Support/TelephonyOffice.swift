import Contracts
import Foundation
import Testing

/// A company's telephony set up through the API: 8 agents (extensions 11–18), three departments (serial Sales,
/// simultaneous Support, balanced Accounts), one published flow on two numbers, a number without a flow and a
/// blocked caller.
struct TelephonyOffice: Sendable {
    let agents: [String]
    let sales: String
    let support: String
    let accounts: String
    let flow: String
    let virtualDID: String
    let tollFreeDID: String
    let unmappedDID: String
    let blockedCaller: String

    static func randomNumber(_ prefix: String = "+9180") -> String {
        prefix + String(format: "%08d", Int.random(in: 0..<100_000_000))
    }

    static func create(_ router: CallRouterHarness, company: CompanyID, lines: Int) async throws -> TelephonyOffice {
        let settings = try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"lines":\#(lines),"direct_dialing":true}"#)
        try #require(settings.status == 200, "\(settings.text)")
        var agents: [String] = []
        for number in 11...18 {
            let user = try await router.create(
                "/v1/users", as: company,
                json: #"{"name":"Agent \#(number)","email":"agent\#(number)@example.com","mobile":"+91980000\#(number)00","extension":\#(number),"role":"agent"}"#)
            agents.append(try #require(user["id"] as? String))
        }
        func department(_ name: String, _ members: ArraySlice<String>, _ strategy: String, _ fallback: String) async throws -> String {
            let list = members.map { #""\#($0)""# }.joined(separator: ",")
            let created = try await router.create(
                "/v1/departments", as: company,
                json: #"{"name":"\#(name)","members":[\#(list)],"strategy":"\#(strategy)","ring_seconds":20,"fallback":{"type":"\#(fallback)"}}"#)
            return try #require(created["id"] as? String)
        }
        let sales = try await department("Sales", agents[0..<3], "serial", "voicemail")
        let support = try await department("Support", agents[3..<6], "simultaneous", "disconnect")
        let accounts = try await department("Accounts", agents[6..<8], "balanced", "voicemail")
        let graph = """
            {"start":"hours","nodes":[
              {"id":"hours","type":"time_condition","schedule":{"slots":[{"days":[1,2,3,4,5,6,7],"start":"00:00","end":"24:00"}]},"open":"main","closed":"closed"},
              {"id":"closed","type":"message","audio":"closed.mp3"},
              {"id":"main","type":"menu","prompt":"welcome.mp3","options":{"1":"sales","2":"support","3":"accounts","4":"vm"},"repeat":2,"timeout_seconds":5,"fallback":{"type":"disconnect"}},
              {"id":"sales","type":"department","department_id":"\(sales)"},
              {"id":"support","type":"department","department_id":"\(support)"},
              {"id":"accounts","type":"department","department_id":"\(accounts)"},
              {"id":"vm","type":"voicemail","max_seconds":45}
            ]}
            """
        let flow = try #require(try await router.create("/v1/flows", as: company, json: #"{"name":"Main line","graph":\#(graph)}"#)["id"] as? String)
        let published = try await router.call("POST", "/v1/flows/\(flow)/publish", as: company)
        try #require(published.status == 200, "\(published.text)")
        let virtual = randomNumber(), tollFree = randomNumber("+91180"), unmapped = randomNumber()
        try await router.createNumber(virtual, as: company, json: #"{"number":"\#(virtual)","type":"virtual","flow_id":"\#(flow)"}"#)
        try await router.createNumber(tollFree, as: company, json: #"{"number":"\#(tollFree)","type":"toll_free","flow_id":"\#(flow)"}"#)
        try await router.createNumber(unmapped, as: company, json: #"{"number":"\#(unmapped)","type":"virtual"}"#)
        let blocked = randomNumber("+9170")
        _ = try await router.create("/v1/blocklist", as: company, json: #"{"number":"\#(blocked)","reason":"spam calls"}"#)
        return TelephonyOffice(
            agents: agents, sales: sales, support: support, accounts: accounts, flow: flow, virtualDID: virtual, tollFreeDID: tollFree,
            unmappedDID: unmapped, blockedCaller: blocked)
    }
}
