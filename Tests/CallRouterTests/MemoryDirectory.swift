@testable import CallRouter
import Contracts
import Foundation
import Synchronization

/// The engine's lookups from memory, shared by "replicas" in the tests the way PostgreSQL shares them in production.
final class MemoryDirectory: RoutingDirectory {
    struct State {
        var departments: [DepartmentID: Department] = [:]
        var agents: [UserID: Agent] = [:]
        var sticky: [PhoneNumber: (UserID, Date)] = [:]
        var webhookAnswer: String?
        var webhookCalls: [InputWebhookRequest] = []
    }

    let state = Mutex(State())

    func add(_ agent: Agent) { state.withLock { $0.agents[agent.id] = agent } }
    func add(_ department: Department) { state.withLock { $0.departments[department.id] = department } }
    func update(_ id: UserID, _ change: (inout Agent) -> Void) { state.withLock { change(&$0.agents[id]!) } }

    func department(_ id: DepartmentID) async throws -> Department? { state.withLock { $0.departments[id] } }

    func agents(_ ids: [UserID]) async throws -> [Agent] { state.withLock { state in ids.compactMap { state.agents[$0] } } }

    func agent(extension number: Extension) async throws -> Agent? {
        state.withLock { $0.agents.values.first { $0.extensionNumber == number } }
    }

    func stickyAgent(customer: PhoneNumber, since: Date) async throws -> UserID? {
        state.withLock { state in state.sticky[customer].flatMap { $0.1 >= since ? $0.0 : nil } }
    }

    func claimRotation(department: DepartmentID, from seen: UserID?, to user: UserID) async throws -> Bool {
        state.withLock { state in
            guard state.departments[department]?.lastOffered == seen else { return false }
            state.departments[department]?.lastOffered = user
            return true
        }
    }

    func askInputWebhook(url: String, request: InputWebhookRequest) async -> String? {
        state.withLock { state in
            state.webhookCalls.append(request)
            return state.webhookAnswer
        }
    }

    static func agent(_ number: Int, _ availability: Availability = .available) -> Agent {
        Agent(
            id: UserID(), name: "Agent \(number)", mobile: PhoneNumber(e164: "+9198000000\(number)")!, extensionNumber: Extension(number)!,
            availability: availability, timeSlots: [], onCall: false, outboundAllowed: true)
    }
}
