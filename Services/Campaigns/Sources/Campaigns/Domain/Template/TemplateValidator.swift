import Foundation

/// CA-06, CA-13…CA-25, D-10: everything a template must satisfy before it is submitted for review (D-11).
///
/// All violations are reported at once, in a fixed order: name, language, category, header, body, footer, buttons
/// (the group rules, then each button), cards (the carousel rules, then each card). Characters are counted as
/// Swift `Character`s (what a person sees as one character).
///
/// Codes (stable: programs and the panel match on them):
/// - `template.name.invalid`: CA-13, D-10, not `^[a-z0-9_]{1,512}$`; the message says why
/// - `template.language.unsupported`: CA-14, D-10, not `en`, `en_US` or `en_GB`
/// - `template.category.invalid`: CA-06, not `marketing`, `utility` or `authentication`
/// - `template.header.type.invalid`: CA-20, not text, image, video or document
/// - `template.header.combined`: CA-20, a text header with media or a media header with text
/// - `template.header.text.missing`, `template.header.text.too_long` (> 60), `template.header.too_many_variables` (> 1): CA-21
/// - `template.header.media.missing`, `template.header.media.format`, `template.header.media.too_large`: CA-22
/// - `template.body.missing`, `template.body.too_long` (> 1,024 as written, variables included): CA-17
/// - `template.variables.malformed`: CA-18, `{{ 1 }}`, `{{a}}`, `{{}}`, `{{01}}`, an unclosed `{{` or stray `}}`
/// - `template.variables.not_sequential`: CA-15, D-10, per component the numbers used are not exactly 1…n
/// - `template.samples.missing`: CA-19, a variable of the body, text header or URL button without a non-blank sample
/// - `template.footer.too_long` (> 60, Meta), `template.footer.variable`: CA-18
/// - `template.url.shortened`: D-10, CA-15, a link shortener in a button URL or a link written in body, header or footer
/// - `template.buttons.mixed`, `template.buttons.too_many_quick_replies` (> 3), `template.buttons.too_many_cta` (> 2),
///   `template.buttons.too_many_phone` (> 1), `template.buttons.too_many_url` (> 1): CA-23, D-10 (copy code is a CTA)
/// - `template.button.type.invalid`: an unknown button type, or one a carousel card cannot carry (CA-25)
/// - `template.button.text.invalid`: empty, > 25 characters, or a variable in a label (CA-18)
/// - `template.button.url.invalid`: not an absolute http(s) URL, or more than one variable, or a variable before the end
/// - `template.button.phone.invalid`: not E.164 (`+`, 8–15 digits, no leading 0)
/// - `template.coupon.not_marketing`, `template.coupon.code.invalid` (1–15 ASCII letters/digits), `template.coupon.too_many`
///   (> 1 copy-code button): CA-24
/// - `template.carousel.card_count` (2–10), `template.carousel.header_not_allowed`: CA-25
/// - `template.carousel.footer_not_allowed`, `template.carousel.buttons_not_allowed`: a carousel is a body and cards only
/// - `template.carousel.not_marketing`: carousels are Marketing templates (Meta)
/// - `template.carousel.cards_mismatch`: every card has the same media type, text presence and buttons (Meta)
/// - `template.card.media.missing`, `template.card.media.format` (image or video), `template.card.media.too_large`,
///   `template.card.headline.too_long` (> 80), `template.card.description.too_long` (> 160),
///   `template.card.buttons.too_many` (> 2): CA-25
/// - `template.card.text.too_long`: headline and description together (Meta's one card BODY) over 160
/// - `template.card.variable`: cards are static in this product, no `{{n}}` in their texts or URLs
enum TemplateValidator {
    static let maxNameLength = 512
    static let maxBodyLength = 1_024
    static let maxFooterLength = 60

    /// The violations found so far, in the order they were found.
    struct Report {
        private(set) var violations: [TemplateViolation] = []

        mutating func add(_ code: String, _ field: String, _ message: String) {
            violations.append(TemplateViolation(code: code, field: field, message: message))
        }
    }

    static func violations(of template: TemplateContent) -> [TemplateViolation] {
        var report = Report()
        checkName(template.name, &report)
        if !TemplateContent.languages.contains(template.language) {  // CA-14, D-10
            report.add(
                "template.language.unsupported", "language",
                "The language is en, en_US or en_GB (CA-14); '\(template.language)' is not supported.")
        }
        let category = template.knownCategory
        if category == nil {  // CA-06
            report.add(
                "template.category.invalid", "category",
                "The category is marketing, utility or authentication (CA-06); '\(template.category)' is none of them.")
        }
        if let header = template.header {
            if template.isCarousel {  // CA-25
                report.add("template.carousel.header_not_allowed", "header", "A carousel has no header: each card carries its own media (CA-25).")
            } else {
                checkHeader(header, &report)
            }
        }
        checkBody(template.body, &report)
        if let footer = template.footer, !isBlank(footer.text) {
            if template.isCarousel {
                report.add("template.carousel.footer_not_allowed", "footer", "A carousel is a body and its cards; it has no footer.")
            } else {
                checkFooter(footer.text, &report)
            }
        }
        if !template.buttons.isEmpty {
            if template.isCarousel {
                report.add(
                    "template.carousel.buttons_not_allowed", "buttons",
                    "A carousel's buttons belong on its cards (up to 2 each, CA-25), not on the template.")
            } else {
                checkButtons(template.buttons, category: category, &report)
            }
        }
        if let cards = template.cards {
            checkCards(cards, category: category, &report)
        }
        return report.violations
    }

    /// CA-13, D-10: `^[a-z0-9_]{1,512}$`, with a message that names what is wrong.
    static func checkName(_ name: String, _ report: inout Report) {
        var problems: [String] = []
        if name.isEmpty { problems.append("is empty") }
        if name.count > maxNameLength { problems.append("has \(name.count) characters") }
        if name.contains(where: \.isWhitespace) { problems.append("contains a space") }
        if name.contains(where: \.isUppercase) { problems.append("contains an uppercase letter") }
        if name.contains("-") { problems.append("contains a hyphen") }
        let others = name.filter { !isNameCharacter($0) && !$0.isWhitespace && !$0.isUppercase && $0 != "-" }
        if !others.isEmpty { problems.append("contains \(quotedList(others.map(String.init)))") }
        if !problems.isEmpty {  // CA-13
            report.add(
                "template.name.invalid", "name",
                "A template name has 1 to 512 characters, only a–z, 0–9 and _ (CA-13); this one \(sentence(problems)).")
        }
    }

    /// CA-17
    static func checkBody(_ body: TemplateBody?, _ report: inout Report) {
        guard let body, !isBlank(body.text) else {
            report.add("template.body.missing", "body", "Body text is mandatory (CA-17).")
            return
        }
        if body.text.count > maxBodyLength {  // CA-17
            report.add(
                "template.body.too_long", "body.text",
                "Body text has at most 1,024 characters, variables included (CA-17); this one has \(body.text.count).")
        }
        checkVariables(of: body.text, samples: body.samples, field: "body.text", samplesField: "body.samples", &report)
        checkLinks(in: body.text, field: "body.text", &report)
    }

    /// CA-18, and Meta's 60-character footer.
    static func checkFooter(_ text: String, _ report: inout Report) {
        if text.count > maxFooterLength {
            report.add("template.footer.too_long", "footer.text", "A footer has at most 60 characters; this one has \(text.count).")
        }
        // CA-18: a malformed one is still an attempt at a variable, and the footer takes none at all.
        if !TemplateVariables.placeholders(in: text).isEmpty || !TemplateVariables.malformed(in: text).isEmpty {
            report.add("template.footer.variable", "footer.text", "The footer takes no variables (CA-18).")
        }
        checkLinks(in: text, field: "footer.text", &report)
    }

    /// CA-15, CA-18, CA-19, D-10: the variables of a text that may have them, and their samples.
    static func checkVariables(of text: String, samples: [String], field: String, samplesField: String, _ report: inout Report) {
        let malformed = TemplateVariables.malformed(in: text)
        if !malformed.isEmpty {  // CA-18
            report.add(
                "template.variables.malformed", field,
                "Variables are written {{1}}, {{2}}, … with nothing else inside; \(quotedList(malformed)) is not one.")
        }
        let placeholders = TemplateVariables.placeholders(in: text)
        if !TemplateVariables.isSequential(placeholders) {  // CA-15, D-10
            let used = Set(placeholders).sorted().map { "{{\($0)}}" }.joined(separator: ", ")
            report.add(
                "template.variables.not_sequential", field,
                "Variables are numbered from {{1}} without gaps (CA-15); this text uses \(used).")
        }
        checkSamples(needed: TemplateVariables.count(in: text), samples: samples, field: samplesField, &report)
    }

    /// CA-19: `samples[i]` is the sample of `{{i+1}}`; a blank one is missing.
    static func checkSamples(needed: Int, samples: [String], field: String, _ report: inout Report) {
        let missing = (0..<needed).filter { !samples.indices.contains($0) || isBlank(samples[$0]) }
        if !missing.isEmpty {
            let names = missing.map { "{{\($0 + 1)}}" }.joined(separator: ", ")
            report.add("template.samples.missing", field, "Every variable needs a sample value (CA-19); missing for \(names).")
        }
    }

    /// D-10, CA-15
    static func checkLinks(in text: String, field: String, _ report: inout Report) {
        let links = TemplateURL.shortenedLinks(in: text)
        if !links.isEmpty {
            report.add(
                "template.url.shortened", field,
                "Shortened links are not allowed (D-10); write the full address instead of \(quotedList(links)).")
        }
    }

    static func isBlank(_ text: String) -> Bool {
        text.allSatisfy(\.isWhitespace)
    }

    static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || (character.isASCII && (character.isLowercase || character.isNumber))
    }

    static func quotedList(_ items: [String]) -> String {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }.map { "'\($0)'" }.joined(separator: ", ")
    }

    static func sentence(_ parts: [String]) -> String {
        guard parts.count > 1, let last = parts.last else { return parts.first ?? "" }
        return parts.dropLast().joined(separator: ", ") + " and " + last
    }
}
