public import Contracts

/// D-22, BI-19: taxes are added on top of every invoice amount.
public enum Tax {
    /// GST is 18 %.
    public static let gstPercent: Int64 = 18

    /// GST on a taxable amount, rounded half up to the paisa.
    public static func gst(on taxable: Money) -> Money {
        taxable.multiplied(by: gstPercent, dividedBy: 100)
    }

    /// BI-32: a gross amount the customer paid, GST included, split into the taxable part (the largest whose total does
    /// not exceed it), its GST, and what is left: at most a paisa, where rounding leaves no taxable amount totalling the
    /// gross exactly.
    public static func split(gross: Money) -> (taxable: Money, gst: Money, remainder: Money) {
        guard gross > .zero else { return (.zero, .zero, .zero) }
        func total(_ paise: Int64) -> Int64 { paise + gst(on: Money(paise: paise)).paise }
        var taxable = gross.paise * 100 / (100 + gstPercent)
        while total(taxable + 1) <= gross.paise { taxable += 1 }
        while taxable > 0 && total(taxable) > gross.paise { taxable -= 1 }
        let part = Money(paise: taxable)
        return (part, gst(on: part), Money(paise: gross.paise - total(taxable)))
    }
}
