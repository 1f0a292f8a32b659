/// `sla.month.closed` (D-26, SLA-04): a component's month is over and its uptime is final. Published once per
/// affected company; Billing refunds the given share of that month's number rental as a credit note.
public struct SLAMonthClosed: Event {
    public static let type = EventType.slaMonthClosed

    /// `yyyy-MM`, in the company's time zone.
    public var month: String
    /// `direction/service/region-provider`, e.g. `incoming/calls/delhi-tata`.
    public var component: String
    /// Uptime in hundredths of a percent (9_950 = 99.50 %).
    public var uptimeBasisPoints: Int
    public var failures: Int
    /// SLA-04: 0, 5, 10, 25, 50 or 100.
    public var refundPercent: Int

    public init(month: String, component: String, uptimeBasisPoints: Int, failures: Int, refundPercent: Int) {
        self.month = month
        self.component = component
        self.uptimeBasisPoints = uptimeBasisPoints
        self.failures = failures
        self.refundPercent = refundPercent
    }

    enum CodingKeys: String, CodingKey {
        case month, component, failures
        case uptimeBasisPoints = "uptime_basis_points"
        case refundPercent = "refund_percent"
    }
}
