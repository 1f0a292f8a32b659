import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension CallRouterAPI {
    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> SettingsView {
        let company = try await authorize(context, "callrouter.settings.read", roles: Self.managerRoles).companyID
        return SettingsView(try await database.withTransaction { try await CompanyStore.read(company, in: $0) })
    }

    /// D-07 lines, D-29 time zone, CR-16 direct dialing, D-05 sticky window.
    @Sendable func updateSettings(_ request: Request, context: AppRequestContext) async throws -> SettingsView {
        let company = try await authorize(context, "callrouter.settings.manage", roles: Self.adminRoles).companyID
        let body = try await request.decode(as: SettingsRequest.self, context: context)
        if let lines = body.lines, !(1...1000).contains(lines) {
            throw APIError.unprocessable("settings.lines.out_of_range", "Lines are 1 to 1000.", field: "lines")
        }
        // IANA names only: an abbreviation (IST) means another zone to PostgreSQL, which reads the company's clock in SQL.
        if let zone = body.timeZone, zone.count > 64 || TimeZone(identifier: zone) == nil || !(zone.contains("/") || zone == "UTC") {
            throw APIError.unprocessable("settings.time_zone.invalid", "The time zone must be an IANA name such as Asia/Kolkata.", field: "time_zone")
        }
        if let days = body.stickyWindowDays, !StickyMode.windowDays.contains(days) {
            throw APIError.unprocessable("settings.sticky_window.out_of_range", "The sticky window is 1 to 90 days (D-05).", field: "sticky_window_days")
        }
        return try await database.withTransaction { transaction in
            var settings = try await CompanyStore.read(company, lock: true, in: transaction)
            settings.lines = body.lines ?? settings.lines
            settings.timeZone = body.timeZone ?? settings.timeZone
            settings.directDialing = body.directDialing ?? settings.directDialing
            settings.stickyWindowDays = body.stickyWindowDays ?? settings.stickyWindowDays
            try await CompanyStore.save(settings, in: transaction)
            // D-29: services that keep the zone hear of it. Sent whenever a request names a zone, even the same
            // one, so saving it again brings a projection that fell behind up to date. Stamped by the database's
            // clock under the row lock, so a later change always carries a later time, whichever replica made it.
            if body.timeZone != nil {
                let now = try await CompanyStore.clock(in: transaction)
                try await outbox.enqueue(
                    Envelope(companyID: company, occurredAt: now, data: CompanySettingsChanged(timeZone: settings.timeZone, changedAt: now)),
                    in: transaction)
            }
            return SettingsView(settings)
        }
    }
}
