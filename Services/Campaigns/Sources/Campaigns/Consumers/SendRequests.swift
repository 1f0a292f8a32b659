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
    let balance: BalanceCheck

    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "send-requests", queue: Subscriptions.whatsappSend, batchHandler: { (batch: InboxBatch) in
            let contexts = batch.contexts
            let events = try contexts.map { try $0.decode(WhatsAppSendRequested.self) }
            // Billing is asked first, for every company of the batch at once, while the batch holds no lock but its
            // inbox rows: asked send by send, each answer (up to its timeout) would keep the numbers of the sends
            // before it locked, and every campaign and API send on them waiting.
            let refusals = await balance.refusals(Set(events.map(\.companyID)), logger: batch.logger)
            for (context, event) in zip(contexts, events) {
                try await send(event, refusal: refusals[event.companyID], context: context)
            }
        })
    }

    private func send(_ event: Envelope<WhatsAppSendRequested>, refusal: APIError?, context: InboxContext) async throws {
        let request = event.data
        let outcome: SingleSend.Outcome
        if let refusal {
            outcome = .refused(refusal)
        } else {
            outcome = try await sends.template(
                SingleSend.TemplateRequest(
                    numberID: request.numberID, to: request.to, templateID: request.templateID,
                    payload: .template(body: request.bodyValues, header: request.headerValue, button: request.buttonValue),
                    trail: request.trail),
                by: nil, company: event.companyID, in: context.transaction)
        }
        if case .refused(let error) = outcome {
            context.logger.notice("WhatsApp send refused", metadata: ["code": "\(error.code)", "to": "\(request.to)"])
            try await sends.recordRefusal(
                error, numberID: request.numberID, to: request.to, templateID: request.templateID, trail: request.trail,
                company: event.companyID, in: context.transaction)
        }
    }
}
