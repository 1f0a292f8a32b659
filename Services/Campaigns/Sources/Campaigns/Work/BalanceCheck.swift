import Contracts
import Logging
import ServiceKit

/// BI-07, CA-59: a WhatsApp message needs an active account with at least ₹1 (less what campaigns hold). Asked of
/// Billing where no request is waiting on it: sends other services request, and the session messages (Live Chat
/// text, interactive and automatic replies) the sender is about to make.
struct BalanceCheck: Sendable {
    let billing: BillingClient

    enum Verdict: Sendable, Equatable {
        case allowed
        case refused(APIError)
        /// Billing could not be asked.
        case unknown
    }

    /// The refusal, or nil when the message may go. A Billing that cannot be asked leaves the decision to the
    /// suspension projection `SingleSend` checks: requeueing would spend a message's delivery limit in seconds and
    /// park AfterCall's sends as dead letters for the length of a Billing restart.
    func refusal(_ company: CompanyID, logger: Logger) async -> APIError? {
        if case .refused(let error) = await verdict(company, logger: logger) { return error }
        return nil
    }

    /// The refusals of several companies, asked at once: each company's, or none when its messages may go.
    func refusals(_ companies: Set<CompanyID>, logger: Logger) async -> [CompanyID: APIError] {
        await withTaskGroup(of: (CompanyID, APIError?).self) { group in
            for company in companies {
                group.addTask { (company, await refusal(company, logger: logger)) }
            }
            var found: [CompanyID: APIError] = [:]
            for await (company, refusal) in group { found[company] = refusal }
            return found
        }
    }

    func verdict(_ company: CompanyID, logger: Logger) async -> Verdict {
        do {
            let account = try await billing.account(company: company)
            return WhatsAppBalance.allowsSend(status: account.status, balance: account.balance, reserved: account.reserved ?? .zero)
                ? .allowed : .refused(WhatsAppBalance.refusal)
        } catch {
            switch error {
            case .unavailable(let reason):
                logger.notice("balance not checked: Billing unavailable", metadata: ["company": "\(company)", "reason": "\(reason)"])
                return .unknown
            case .insufficient, .refused:
                return .refused(error.apiError)
            }
        }
    }
}
