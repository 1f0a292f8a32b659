import Contracts
import Foundation

extension TemplateValidator {
    static let maxButtonTextLength = 25
    static let maxCouponCodeLength = 15

    /// CA-23, CA-24, D-10: the button group first, then each button.
    static func checkButtons(_ buttons: [TemplateButton], category: TemplateContent.Category?, _ report: inout Report) {
        var quickReplies = 0
        var urls = 0
        var phones = 0
        var codes = 0
        for button in buttons {
            switch button {
            case .quickReply: quickReplies += 1
            case .url: urls += 1
            case .phoneNumber: phones += 1
            case .copyCode: codes += 1
            case .unknown: break
            }
        }
        let callsToAction = urls + phones + codes  // D-10: copy code counts as a CTA
        if quickReplies > 0 && callsToAction > 0 {  // CA-23
            report.add("template.buttons.mixed", "buttons", "Call-to-action and quick-reply buttons are never mixed (CA-23).")
        }
        if quickReplies > 3 {  // CA-23
            report.add("template.buttons.too_many_quick_replies", "buttons", "At most 3 quick-reply buttons (CA-23); there are \(quickReplies).")
        }
        if callsToAction > 2 {  // CA-23, D-10
            report.add(
                "template.buttons.too_many_cta", "buttons",
                "At most 2 call-to-action buttons, copy code included (CA-23, D-10); there are \(callsToAction).")
        }
        if phones > 1 {  // CA-23
            report.add("template.buttons.too_many_phone", "buttons", "At most 1 phone-number button (CA-23); there are \(phones).")
        }
        if urls > 1 {  // CA-23
            report.add("template.buttons.too_many_url", "buttons", "At most 1 URL button (CA-23); there are \(urls).")
        }
        if codes > 1 {  // CA-24
            report.add("template.coupon.too_many", "buttons", "A coupon template has one copy-code button (CA-24); there are \(codes).")
        }
        for (index, button) in buttons.enumerated() {
            let field = "buttons.\(index)"
            switch button {
            case .quickReply(let text):
                checkLabel(text, field: field, &report)
            case .url(let text, let url, let sample):
                checkLabel(text, field: field, &report)
                checkURL(url, sample: sample, field: field, variablesAllowed: true, &report)
            case .phoneNumber(let text, let phoneNumber):
                checkLabel(text, field: field, &report)
                checkPhone(phoneNumber, field: field, &report)
            case .copyCode(let code):
                checkCouponCode(code, field: field, &report)
                if let category, category != .marketing {  // CA-24
                    report.add(
                        "template.coupon.not_marketing", field,
                        "A copy-code button is only for Marketing templates (CA-24); this one is \(category.rawValue).")
                }
            case .unknown(let type):
                report.add(
                    "template.button.type.invalid", field,
                    "A button is quick_reply, url, phone_number or copy_code; '\(type)' is none of them.")
            }
        }
    }

    /// 1 to 25 characters, and no variables: only the body, a text header and a URL take them (CA-18).
    static func checkLabel(_ text: String, field: String, _ report: inout Report) {
        var problems: [String] = []
        if isBlank(text) {
            problems.append("is empty")
        } else if text.count > maxButtonTextLength {
            problems.append("has \(text.count) characters")
        }
        if !TemplateVariables.placeholders(in: text).isEmpty { problems.append("contains a variable (CA-18)") }
        if !problems.isEmpty {
            report.add(
                "template.button.text.invalid", field, "A button label has 1 to 25 characters and no variables; this one \(sentence(problems)).")
        }
    }

    /// An absolute http(s) URL with at most one variable, `{{1}}`, as its last part (CA-18), which needs a sample (CA-19);
    /// never a shortener (D-10). Carousel cards take no variable at all.
    static func checkURL(_ url: String, sample: String?, field: String, variablesAllowed: Bool, _ report: inout Report) {
        let tokens = TemplateVariables.tokens(in: url)
        let placeholders = tokens.compactMap { if case .placeholder(let number) = $0 { number } else { nil } }
        let malformed = tokens.compactMap { if case .malformed(let written) = $0 { written } else { nil } }
        // What the URL is without its variable: the part Meta keeps fixed, and the part that must parse.
        let fixed = tokens.compactMap { if case .literal(let text) = $0 { text } else { nil } }.joined()
        var problems: [String] = []
        if !variablesAllowed {
            if !placeholders.isEmpty || !malformed.isEmpty {
                report.add("template.card.variable", field, "Carousel cards are fixed: their URLs take no variables.")
            }
        } else {
            if !malformed.isEmpty {  // CA-18
                report.add(
                    "template.variables.malformed", field,
                    "Variables are written {{1}} with nothing else inside; \(quotedList(malformed)) is not one.")
            }
            if placeholders.count > 1 {
                problems.append("has \(placeholders.count) variables, and takes at most one")
            } else if let number = placeholders.first {
                if case .placeholder = tokens.last {} else { problems.append("has its variable before the end") }
                if number != 1 {  // CA-15, D-10
                    report.add("template.variables.not_sequential", field, "A URL's variable is {{1}} (CA-15); this one uses {{\(number)}}.")
                }
                if isBlank(sample ?? "") {  // CA-19
                    report.add("template.samples.missing", field, "A URL with a variable needs a sample value for it (CA-19).")
                }
            }
        }
        if !TemplateURL.isAbsoluteHTTP(fixed) { problems.append("is not an absolute http(s) URL") }
        if !problems.isEmpty {
            report.add("template.button.url.invalid", field, "A button URL \(sentence(problems)); the variable, if any, is its last part.")
        }
        if TemplateURL.isShortener(host: TemplateURL.looseHost(of: fixed)) {  // D-10
            report.add("template.url.shortened", field, "Shortened links are not allowed (D-10); use the full address instead of '\(url)'.")
        }
    }

    /// E.164: `+`, then 8 to 15 digits, no leading 0.
    static func checkPhone(_ phoneNumber: String, field: String, _ report: inout Report) {
        if PhoneNumber(e164: phoneNumber) == nil {
            report.add(
                "template.button.phone.invalid", field,
                "A phone button calls an E.164 number such as +919876543210; '\(phoneNumber)' is not one.")
        }
    }

    /// CA-24: 1 to 15 ASCII letters or digits, such as SALE25.
    static func checkCouponCode(_ code: String, field: String, _ report: inout Report) {
        let isAlphanumeric = code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        if !(1...maxCouponCodeLength).contains(code.count) || !isAlphanumeric {
            report.add(
                "template.coupon.code.invalid", field,
                "A coupon code has 1 to 15 letters or digits, such as SALE25 (CA-24); '\(code)' is not one.")
        }
    }
}
