import Contracts
import Foundation
import Logging
import ServiceKit
import Storage

/// D-29: `company.settings.changed` → the company's time zone, kept on its account, so that promotional SMS credit
/// months, statements and number-rental cycles run on the company's clock. A change older than the one held is
/// ignored; a zone this build's time-zone database does not know (CallRouter checked it against its own) keeps the
/// one held, and says so in the log.
struct CompanyTimeZones: Sendable {
    let logger: Logger

    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "company-time-zones", queue: Subscriptions.companySettingsChanged) { (context: InboxContext) in
            try await keep(context)
        }
    }

    func keep(_ context: InboxContext) async throws {
        let envelope = try context.decode(CompanySettingsChanged.self)
        guard let zone = TimeZone(identifier: envelope.data.timeZone) else {
            logger.warning("unknown time zone \(envelope.data.timeZone) for company \(envelope.companyID); the account keeps its own")
            return
        }
        let company = envelope.companyID
        // A company Billing has not heard of yet gets its account, and its billing day, on the new clock.
        try await AccountStore.ensure([company], timeZone: (zone, envelope.data.changedAt), in: context.transaction)
        var account = try await AccountStore.lock(company, in: context.transaction)
        if account.setTimeZone(zone, changedAt: envelope.data.changedAt) {
            try await AccountStore.saveTimeZone(account, in: context.transaction)
        }
    }
}
