import Contracts
import Foundation
import Storage

/// The engine's lookups, answered inside the call's transaction.
struct PostgresDirectory: RoutingDirectory {
    let company: CompanyID
    let transaction: Transaction
    /// For the rotation cursor, which moves outside the call's transaction.
    let database: Database
    let webhooks: InputWebhookClient

    func department(_ id: DepartmentID) async throws -> Department? {
        try await DepartmentStore.find(id, company: company, in: transaction)
    }

    func agents(_ ids: [UserID]) async throws -> [Agent] {
        try await UserStore.agents(ids, company: company, in: transaction)
    }

    func agent(extension number: Extension) async throws -> Agent? {
        try await UserStore.byExtension(number, company: company, in: transaction)?.agent
    }

    func stickyAgent(customer: PhoneNumber, since: Date) async throws -> UserID? {
        try await CallStore.stickyAgent(company: company, customer: customer, since: since, in: transaction)
    }

    /// Its own statement, committed at once: holding the department's row until the call's commit would let only
    /// one call at a time into a balanced department. A cursor moved for a call whose transaction then fails only
    /// shifts the next call's starting member by one.
    func claimRotation(department: DepartmentID, from seen: UserID?, to user: UserID) async throws -> Bool {
        try await DepartmentStore.claimRotation(department, from: seen, to: user, in: database)
    }

    func askInputWebhook(url: String, request: InputWebhookRequest) async -> String? {
        await webhooks.ask(url: url, request: request)
    }
}
