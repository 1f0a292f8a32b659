import Contracts
import ServiceKit

/// BI-28: the checks on the business details a customer may edit.
enum BusinessDetails {
    struct Violation {
        let code: String
        let field: String
        let message: String
    }

    static func violation(name: String?, email: String?, gstin: String?) -> Violation? {
        for (field, value) in [("billing_name", name), ("billing_email", email), ("gstin", gstin)] {
            if let value, TextRules.hasControlCharacters(value) {
                return Violation(code: "billing.text.control_character", field: field, message: "The \(field) cannot contain control characters.")
            }
        }
        if let name, name.trimmingCharacters().isEmpty || name.count > 100 {
            return Violation(code: "billing.name.invalid", field: "billing_name", message: "The billing name must have 1 to 100 characters.")
        }
        if let email, !EmailAddress.isPlausible(email) {
            return Violation(code: "billing.email.invalid", field: "billing_email", message: "The billing e-mail is not a valid address.")
        }
        if let gstin, !isGSTIN(gstin) {
            return Violation(
                code: "billing.gstin.invalid", field: "gstin", message: "A GSTIN has 15 characters, such as 27AAPFU0939F1ZV.")
        }
        return nil
    }

    /// BI-29: once GST details are on file (the KYC is done), the GSTIN and the billing name printed with it stay as
    /// they are; sending the same values again changes nothing and is allowed.
    static func lockViolation(gstinOnFile: String?, nameOnFile: String?, name: String?, gstin: String?) -> Violation? {
        guard let gstinOnFile else { return nil }
        if let name, name != nameOnFile {
            return Violation(
                code: "billing.name.locked_by_gst", field: "billing_name",
                message: "The billing name cannot change while GST details are on file; contact your account manager.")
        }
        if let gstin, gstin != gstinOnFile {
            return Violation(code: "billing.gstin.locked", field: "gstin", message: "GST details are locked after KYC; contact your account manager.")
        }
        return nil
    }

    /// State code (2 digits), PAN (5 letters, 4 digits, 1 letter), entity number, `Z`, check character.
    static func isGSTIN(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 15 else { return false }
        func digit(_ i: Int) -> Bool { ("0"..."9").contains(scalars[i]) }
        func letter(_ i: Int) -> Bool { ("A"..."Z").contains(scalars[i]) }
        return digit(0) && digit(1) && (2...6).allSatisfy(letter) && (7...10).allSatisfy(digit) && letter(11)
            && (letter(12) || digit(12)) && scalars[13] == "Z" && (letter(14) || digit(14))
    }
}
