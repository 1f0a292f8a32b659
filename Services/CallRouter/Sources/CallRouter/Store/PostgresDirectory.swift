import Contracts
import Foundation
import Storage

/// The engine's lookups, answered inside the call's transaction.
struct PostgresDirectory: RoutingDirectory {
    let company: CompanyID
    let transaction: Transaction
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

    /// In the call's transaction: a second pooled connection taken while this one is held could wait forever once
    /// every connection is held by a call doing the same. The row stays locked until the commit, so calls into one
    /// balanced department commit one after another; a concurrent claim re-checks the cursor after that commit.
    func claimRotation(department: DepartmentID, from seen: UserID?, to user: UserID) async throws -> Bool {
        try await DepartmentStore.claimRotation(department, company: company, from: seen, to: user, in: transaction)
    }

    func askInputWebhook(url: String, request: InputWebhookRequest) async -> String? {
        await webhooks.ask(url: url, request: request)
    }
}
