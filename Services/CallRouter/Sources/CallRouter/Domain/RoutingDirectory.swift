import Contracts
import Foundation

/// What the call engine looks up while deciding: departments, agents as they are right now, sticky bindings and the
/// customer's input webhook. The store answers it from PostgreSQL on the decision's connection; tests answer it
/// from memory.
protocol RoutingDirectory: Sendable {
    func department(_ id: DepartmentID) async throws -> Department?
    func agents(_ ids: [UserID]) async throws -> [Agent]
    /// A department with its members as they are right now (the store answers in one round trip).
    func departmentWithMembers(_ id: DepartmentID) async throws -> (Department, [Agent])?
    func agent(extension: Extension) async throws -> Agent?
    /// D-05: the agent who last answered `customer` at or after `since`.
    func stickyAgent(customer: PhoneNumber, since: Date) async throws -> UserID?
    /// D-04: move the balanced-rotation cursor from `seen` to `user` (who is offered this call first), unless another
    /// call moved it meanwhile; false then, and the caller reads the department again.
    func claimRotation(department: DepartmentID, from seen: UserID?, to user: UserID) async throws -> Bool
    /// CR-04, WH-09: POST the caller's input; the node id the customer's answer names, or nil on timeout or error.
    /// May throw instead, for the caller to ask outside its transaction and decide again (`InputWebhookQuestion`).
    func askInputWebhook(url: String, request: InputWebhookRequest) async throws -> String?
}

extension RoutingDirectory {
    func departmentWithMembers(_ id: DepartmentID) async throws -> (Department, [Agent])? {
        guard let department = try await department(id) else { return nil }
        return (department, try await agents(department.members))
    }
}

/// The body an input node POSTs to the customer's webhook (CR-04).
struct InputWebhookRequest: Hashable, Sendable, Codable {
    var uid: CallID
    var nodeID: String
    var digits: String
    var caller: PhoneNumber?
    var did: PhoneNumber

    enum CodingKeys: String, CodingKey {
        case uid, digits, caller, did
        case nodeID = "node_id"
    }
}

/// The customer's answer: the node to continue with.
struct InputWebhookResponse: Hashable, Sendable, Codable {
    var next: String

    enum CodingKeys: String, CodingKey {
        case next = "next_node"
    }
}
