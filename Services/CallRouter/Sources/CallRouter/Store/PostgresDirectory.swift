import Contracts
import Foundation
import Storage

/// The engine's lookups, each one statement on the decision's connection (no transaction is open: `CallControl`).
struct PostgresDirectory: RoutingDirectory {
    let company: CompanyID
    let session: Transaction
    let webhooks: InputWebhookClient
    /// An input webhook's answer fetched before the transaction.
    var answered: InputWebhookAnswer? = nil
    /// Ask the webhook during the decision, holding its pooled connection. Switch events turn this off
    /// (`CallControl.event`) and turn it back on only after the question kept changing under them.
    var inline = true

    func department(_ id: DepartmentID) async throws -> Department? {
        try await DepartmentStore.find(id, company: company, in: session)
    }

    func agents(_ ids: [UserID]) async throws -> [Agent] {
        try await UserStore.agents(ids, company: company, in: session)
    }

    func agent(extension number: Extension) async throws -> Agent? {
        try await UserStore.byExtension(number, company: company, in: session)?.agent
    }

    func stickyAgent(customer: PhoneNumber, since: Date) async throws -> UserID? {
        try await CallStore.stickyAgent(company: company, customer: customer, since: since, in: session)
    }

    /// On the decision's connection (a second pooled connection taken while this one is held could wait forever once
    /// every connection is held by a call doing the same). The claim commits on its own, so calls into one balanced
    /// department do not wait for each other's decisions; if the call's own write then finds the call moved on, the
    /// cursor has still moved, and the next caller starts one agent later.
    func claimRotation(department: DepartmentID, from seen: UserID?, to user: UserID) async throws -> Bool {
        try await DepartmentStore.claimRotation(department, company: company, from: seen, to: user, in: session)
    }

    /// The answer fetched before this transaction began, if it is the answer to this question. Otherwise the
    /// question goes back to `CallControl`, which asks it with no connection held (the customer has three seconds; a
    /// pooled connection must not wait with it) and decides again.
    func askInputWebhook(url: String, request: InputWebhookRequest) async throws -> String? {
        if let answered, answered.url == url, answered.request == request { return answered.next }
        guard inline else { throw InputWebhookQuestion(url: url, request: request) }
        return await webhooks.ask(url: url, request: request)
    }
}

/// The input webhook a decision needs answered before it can go on (CR-04).
struct InputWebhookQuestion: Error, Hashable {
    var url: String
    var request: InputWebhookRequest
}

struct InputWebhookAnswer: Sendable, Hashable {
    var url: String
    var request: InputWebhookRequest
    var next: String?
}
