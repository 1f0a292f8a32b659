import Contracts
import Foundation
import Storage
import Synchronization

/// The engine's lookups, each one statement on the decision's connection (no transaction is open: `CallControl`).
struct PostgresDirectory: RoutingDirectory {
    let company: CompanyID
    let session: Transaction
    let webhooks: InputWebhookClient
    /// An input webhook's answer fetched before this decision began.
    var answered: InputWebhookAnswer? = nil
    /// Ask the webhook during the decision, holding its pooled connection, and keep its answer here. Switch events
    /// leave this nil (`CallControl.event`) and set it only after the question kept changing under them.
    var inline: InlineAnswer?
    /// The replica's kept copy of the call this decision started from (`LiveCalls`), if it did. A decision from a stale
    /// copy writes nothing, but a rotation claim and a question to the company's webhook happen before that write and
    /// cannot be taken back: before either, the copy and its settings are checked against the rows.
    var kept: LiveCalls.Entry?

    func department(_ id: DepartmentID) async throws -> Department? {
        try await DepartmentStore.find(id, company: company, in: session)
    }

    func agents(_ ids: [UserID]) async throws -> [Agent] {
        try await UserStore.agents(ids, company: company, in: session)
    }

    func departmentWithMembers(_ id: DepartmentID) async throws -> (Department, [Agent])? {
        try await DepartmentStore.withMembers(id, company: company, in: session)
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
        try await confirmKeptCall()
        return try await DepartmentStore.claimRotation(department, company: company, from: seen, to: user, in: session)
    }

    /// The answer fetched before this decision began, if it is the answer to this question. Otherwise the
    /// question goes back to `CallControl`, which asks it with no connection held (the customer has three seconds; a
    /// pooled connection must not wait with it) and decides again.
    func askInputWebhook(url: String, request: InputWebhookRequest) async throws -> String? {
        if let answered, answered.url == url, answered.request == request { return answered.next }
        guard let inline else { throw InputWebhookQuestion(url: url, request: request, company: company) }
        if let earlier = inline.answer, earlier.url == url, earlier.request == request { return earlier.next }
        try await confirmKeptCall()
        let next = await webhooks.ask(url: url, request: request, company: company)
        inline.answer = InputWebhookAnswer(url: url, request: request, next: next)
        return next
    }

    private func confirmKeptCall() async throws {
        guard let kept else { return }
        guard try await CallStore.isCurrent(kept.call, settings: kept.settings, in: session) else { throw KeptCallMoved() }
    }
}

/// The replica's kept copy of a call is no longer the call's row: the decision is made again from a fresh read.
struct KeptCallMoved: Error {}

/// The input webhook a decision needs answered before it can go on (CR-04).
struct InputWebhookQuestion: Error, Hashable {
    var url: String
    var request: InputWebhookRequest
    /// Whose webhook it is (its name lookups are limited per company: `OutboundURLPolicy`).
    var company: CompanyID
}

struct InputWebhookAnswer: Sendable, Hashable {
    var url: String
    var request: InputWebhookRequest
    var next: String?
}

/// The answer an input webhook gave when asked during a decision, kept for the decision's next attempts (it is
/// decided again when the call moved on meanwhile), so the customer's webhook is asked once per question.
final class InlineAnswer: Sendable {
    private let stored = Mutex<InputWebhookAnswer?>(nil)

    var answer: InputWebhookAnswer? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
