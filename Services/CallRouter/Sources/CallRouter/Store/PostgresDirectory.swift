import Contracts
import Foundation
import Storage

/// The engine's lookups, answered inside the call's transaction.
struct PostgresDirectory: RoutingDirectory {
    let company: CompanyID
    let transaction: Transaction
    let webhooks: InputWebhookClient

    func department(_ id: DepartmentID) async throws -> Department? {
        guard let department = try await DepartmentStore.find(id, company: company, in: transaction) else { return nil }
        guard department.strategy == .balanced else { return department }
        // D-04: balanced rotation is shared by every replica, so the cursor is read under a row lock until commit.
        return try await DepartmentStore.find(id, company: company, in: transaction, lockRotation: true)
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

    func recordOffered(department: DepartmentID, user: UserID) async throws {
        try await DepartmentStore.recordOffered(department, user: user, in: transaction)
    }

    func askInputWebhook(url: String, request: InputWebhookRequest) async -> String? {
        await webhooks.ask(url: url, request: request)
    }
}
