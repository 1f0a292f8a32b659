public import Foundation

/// `company.settings.changed`: a company's settings as they are after a change. CallRouter owns them (the time zone
/// among them, D-29); services that evaluate the company's calendar (Billing's months and cycles) keep a projection of
/// the time zone, taking a change only when it is not older than the one they hold (`changedAt`), since two changes
/// made moments apart may arrive in either order.
public struct CompanySettingsChanged: Event {
    public static let type = EventType.companySettingsChanged

    /// An IANA name such as `Asia/Kolkata`.
    public var timeZone: String
    public var changedAt: Date

    public init(timeZone: String, changedAt: Date) {
        self.timeZone = timeZone
        self.changedAt = changedAt
    }

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
        case changedAt = "changed_at"
    }
}
