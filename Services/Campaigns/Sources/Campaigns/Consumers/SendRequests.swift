import Contracts
import Foundation
import Logging
import ServiceKit
import Storage

/// `whatsapp.send.requested` (AfterCall's WhatsApp action, issue 5 point 7): the same single send as the API, inside
/// the inbox transaction. A send the rules refuse is recorded as a failed message with the refusal's code, and its
/// `whatsapp.message.status` `failed` is published, so the requester sees it.
struct SendRequests: Sendable {
    let sends: SingleSend
    let billing: BillingClient

    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "send-requests", queue: Subscriptions.whatsappSend) { (context: InboxContext) in
            let event = try context.decode(WhatsAppSendRequested.self)
            let request = event.data
            let outcome: SingleSend.Outcome
            if let refusal = await balanceRefusal(event.companyID, logger: context.logger) {
                outcome = .refused(refusal)
            } else {
                outcome = try await sends.template(
                    SingleSend.TemplateRequest(
                        numberID: request.numberID, to: request.to, templateID: request.templateID,
                        payload: .template(body: request.bodyValues, header: request.headerValue, button: request.buttonValue),
                        trail: request.trail),
                    company: event.companyID, in: context.transaction)
            }
            if case .refused(let error) = outcome {
                context.logger.notice("WhatsApp send refused", metadata: ["code": "\(error.code)", "to": "\(request.to)"])
                try await sends.recordRefusal(
                    error, numberID: request.numberID, to: request.to, templateID: request.templateID, trail: request.trail,
                    company: event.companyID, in: context.transaction)
            }
        }
    }

    /// BI-07, the API's check: below ₹1 (less what campaigns hold), or a suspended account, the send is refused.
    /// A Billing that cannot be asked leaves the decision to the suspension projection `common` checks, as before
    /// this check existed: requeueing would spend the message's delivery limit in seconds and park AfterCall's sends
    /// as dead letters for the length of a Billing restart.
    private func balanceRefusal(_ company: CompanyID, logger: Logger) async -> APIError? {
        do {
            let account = try await billing.account(company: company)
            return WhatsAppBalance.allowsSend(status: account.status, balance: account.balance, reserved: account.reserved ?? .zero)
                ? nil : WhatsAppBalance.refusal
        } catch {
            switch error {
            case .unavailable(let reason):
                logger.notice("balance not checked: Billing unavailable", metadata: ["company": "\(company)", "reason": "\(reason)"])
                return nil
            case .insufficient(let code, let message):
                return APIError.paymentRequired(code, message)
            case .refused(let code, let message):
                return APIError.unprocessable("billing.refused", "Billing refused the balance check (\(code)): \(message)")
            }
        }
    }
}
