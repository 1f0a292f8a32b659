import Contracts
import Foundation
import Logging
import ServiceKit
import Storage

/// D-29: `company.settings.changed` → the company's time zone, the clock a new WhatsApp number's business hours start
/// on (CA-53) until the number is given its own. A change older than the one held is ignored; a zone this build's
/// time-zone database does not know keeps the one held.
struct CompanyTimeZones: Sendable {
    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "company-time-zones", queue: Subscriptions.companySettings) { (context: InboxContext) in
            let envelope = try context.decode(CompanySettingsChanged.self)
            guard TimeZone(identifier: envelope.data.timeZone) != nil else {
                context.logger.warning("unknown time zone \(envelope.data.timeZone); the company keeps its own")
                return
            }
            try await CompanyStore.setTimeZone(
                envelope.data.timeZone, company: envelope.companyID, at: envelope.data.changedAt, in: context.transaction)
        }
    }
}
