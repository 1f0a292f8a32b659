public import Contracts

/// D-22, BI-19: taxes are added on top of every invoice amount.
public enum Tax {
    /// GST is 18 %.
    public static let gstPercent: Int64 = 18

    /// GST on a taxable amount, rounded half up to the paisa.
    public static func gst(on taxable: Money) -> Money {
        taxable.multiplied(by: gstPercent, dividedBy: 100)
    }
}
