import Contracts
import Foundation
import Logging
import ServiceKit
import Storage

/// CA-53: queues the number's Greeting or Away reply to a customer who starts a conversation, in the transaction
/// that records their message, so a repeated webhook (the message is stored once) never replies twice.
struct AutoReplies: Sendable {
    let sends: SingleSend
    let logger: Logger

    func reply(to contact: PhoneNumber, name: String?, at: Date, before: Date?, number: WhatsAppNumber, in transaction: Transaction) async throws {
        let settings = try await AutoReplyStore.find(number: number.id, company: number.companyID, in: transaction)
        let zone = TimeZone(identifier: number.timeZone) ?? TimeZone(identifier: "Asia/Kolkata")!
        guard let (choice, cannedID) = settings.choice(at: at, now: Date(), previous: before, hours: number.businessHours, timeZone: zone)
        else { return }
        guard let canned = try await CannedMessageStore.find(cannedID, company: number.companyID, in: transaction) else { return }
        let text = CannedMessage.render(
            canned.text, with: CannedMessage.Values(contactName: name, contactPhone: contact.e164, businessName: number.displayName))
        let outcome = try await sends.freeForm(number: number, to: contact, payload: .text(text), by: nil, in: transaction)
        if case .refused(let error) = outcome {
            // The company is suspended, or the contact is no Indian mobile: no reply, and the customer's message stands.
            // Below ₹1 the reply is queued and the sender fails it (BI-07), as it does any Live Chat message.
            logger.info("automatic reply not sent", metadata: ["reply": "\(choice.rawValue)", "code": "\(error.code)"])
        }
    }
}
