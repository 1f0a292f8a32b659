import Foundation
import Testing

@testable import Campaigns

/// Valid templates that the template tests change one rule at a time.
enum TemplateSamples {
    static let megabyte = 1_024 * 1_024

    static func image(_ bytes: Int = 200_000, mime: String = "image/png", url: String = "https://cdn.example.com/banner.png") -> MediaSample {
        MediaSample(url: url, mimeType: mime, sizeBytes: bytes)
    }

    /// Marketing: a text header with `{{1}}`, a body with `{{1}}` and `{{2}}`, a footer and two quick replies.
    static let standard = TemplateContent(
        name: "order_update", language: "en_US", category: "marketing",
        header: .text("Hi {{1}}", samples: ["Asha"]),
        body: TemplateBody(text: "Your order {{1}} ships on {{2}}.", samples: ["A-1001", "Monday"]),
        footer: TemplateFooter(text: "Reply STOP to opt out"),
        buttons: [.quickReply(text: "Track order"), .quickReply(text: "Talk to us")])

    /// Utility: an image header, a URL button with `{{1}}` and a phone button.
    static let callToAction = TemplateContent(
        name: "invoice_ready", language: "en", category: "utility",
        header: .media(.image, image()),
        body: TemplateBody(text: "Invoice {{1}} is ready.", samples: ["INV-7"]),
        buttons: [
            .url(text: "View invoice", url: "https://example.com/invoices/{{1}}", sample: "INV-7"),
            .phoneNumber(text: "Call us", phoneNumber: "+919876543210"),
        ])

    /// Marketing: a copy-code button and a fixed URL (CA-24).
    static let coupon = TemplateContent(
        name: "summer_sale", language: "en_GB", category: "marketing",
        body: TemplateBody(text: "Use code SALE25 for 25% off until Sunday."),
        buttons: [.copyCode(code: "SALE25"), .url(text: "Shop now", url: "https://shop.example.com/sale")])

    static func card(_ number: Int) -> CarouselCard {
        CarouselCard(
            mediaType: "image", media: image(url: "https://cdn.example.com/p\(number).jpg").with(mime: "image/jpeg"),
            headline: "Product \(number)", description: "Fresh stock, ships today.",
            buttons: [.quickReply(text: "Buy"), .url(text: "Details", url: "https://shop.example.com/p/\(number)")])
    }

    /// Marketing carousel: a body with `{{1}}` and three alike cards (CA-25).
    static let carousel = cards(3)

    static func cards(_ count: Int) -> TemplateContent {
        TemplateContent(
            name: "summer_carousel", language: "en_US", category: "marketing",
            body: TemplateBody(text: "Hi {{1}}, pick a favourite:", samples: ["Asha"]),
            cards: (0..<count).map(card))
    }

    static func changed(_ base: TemplateContent, _ change: (inout TemplateContent) -> Void) -> TemplateContent {
        var template = base
        change(&template)
        return template
    }

    static func text(_ count: Int, prefix: String = "") -> String {
        prefix + String(repeating: "a", count: count - prefix.count)
    }
}

extension MediaSample {
    func with(mime: String) -> MediaSample { MediaSample(url: url, mimeType: mime, sizeBytes: sizeBytes) }
}

/// One row of the table: a template and the exact codes it must produce.
struct TemplateCase: Sendable, CustomTestStringConvertible {
    var label: String
    var template: TemplateContent
    var expected: [String]

    var testDescription: String { label }

    init(_ label: String, _ template: TemplateContent, _ expected: [String] = []) {
        self.label = label
        self.template = template
        self.expected = expected
    }
}

enum TemplateTable {
    typealias S = TemplateSamples

    static func from(_ base: TemplateContent, _ change: (inout TemplateContent) -> Void) -> TemplateContent { S.changed(base, change) }

    static let mb = TemplateSamples.megabyte

    static let cases: [TemplateCase] = valid + names + bodies + headers + buttons + coupons + carousels + several

    static let valid: [TemplateCase] = [
        TemplateCase("valid: the standard marketing template", S.standard),
        TemplateCase("valid: utility with image header, URL and phone buttons", S.callToAction),
        TemplateCase("valid: coupon with copy code and URL", S.coupon),
        TemplateCase("valid: carousel of 3 cards", S.carousel),
        TemplateCase("valid: carousel of 2 cards", S.cards(2)),
        TemplateCase("valid: carousel of 10 cards", S.cards(10)),
        TemplateCase("valid: body of exactly 1,024 characters", from(S.standard) { $0.body?.text = S.text(1_024, prefix: "{{1}} {{2}} ") }),
        TemplateCase("valid: text header of exactly 60 characters", from(S.standard) { $0.header?.text = S.text(60, prefix: "{{1}}") }),
        TemplateCase("valid: PNG of exactly 5 MB", from(S.callToAction) { $0.header?.media?.sizeBytes = 5 * mb }),
        TemplateCase(
            "valid: MP4 of exactly 16 MB",
            from(S.callToAction) {
                $0.header = .media(.video, MediaSample(url: "https://cdn.example.com/a.mp4", mimeType: "video/mp4", sizeBytes: 16 * mb))
            }),
        TemplateCase(
            "valid: PDF of exactly 10 MB",
            from(S.callToAction) {
                $0.header = .media(.document, MediaSample(url: "https://cdn.example.com/a.pdf", mimeType: "application/pdf", sizeBytes: 10 * mb))
            }),
        TemplateCase("valid: body only", TemplateContent(name: "plain", language: "en", category: "utility", body: TemplateBody(text: "Hello."))),
        TemplateCase(
            "valid: authentication template",
            TemplateContent(name: "otp_1", language: "en", category: "authentication", body: TemplateBody(text: "Code {{1}}", samples: ["1234"]))),
        TemplateCase("valid: {{1}} repeated in the body", from(S.standard) { $0.body?.text = "{{1}}, {{2}} and {{1}} again." }),
        TemplateCase("valid: 3 quick replies", from(S.standard) { $0.buttons.append(.quickReply(text: "Stop")) }),
        TemplateCase("valid: name of 512 characters", from(S.standard) { $0.name = S.text(512) }),
        TemplateCase("valid: coupon code of 15 characters", from(S.coupon) { $0.buttons[0] = .copyCode(code: "SALE25SALE25ABC") }),
        TemplateCase("valid: a fixed URL needs no sample", from(S.callToAction) { $0.buttons[0] = .url(text: "Open", url: "https://example.com/a") }),
        TemplateCase("valid: footer of exactly 60 characters", from(S.standard) { $0.footer?.text = S.text(60) }),
        TemplateCase("valid: a full (not shortened) link in the body", from(S.standard) { $0.body?.text += " See https://example.com/bit.ly" }),
    ]

    static let names: [TemplateCase] = [
        TemplateCase("CA-13: a space in the name", from(S.standard) { $0.name = "order update" }, ["template.name.invalid"]),
        TemplateCase("CA-13: an empty name", from(S.standard) { $0.name = "" }, ["template.name.invalid"]),
        TemplateCase("CA-13: a 513-character name", from(S.standard) { $0.name = S.text(513) }, ["template.name.invalid"]),
        TemplateCase("CA-13: an uppercase name", from(S.standard) { $0.name = "Order_update" }, ["template.name.invalid"]),
        TemplateCase("CA-13: a hyphen in the name", from(S.standard) { $0.name = "order-update" }, ["template.name.invalid"]),
        TemplateCase("CA-14: language hi", from(S.standard) { $0.language = "hi" }, ["template.language.unsupported"]),
        TemplateCase("CA-06: category promotional", from(S.standard) { $0.category = "promotional" }, ["template.category.invalid"]),
    ]

    static let bodies: [TemplateCase] = [
        TemplateCase("CA-17: no body", from(S.standard) { $0.body = nil }, ["template.body.missing"]),
        TemplateCase("CA-17: a blank body", from(S.standard) { $0.body?.text = "  \n" }, ["template.body.missing"]),
        TemplateCase(
            "CA-17: a 1,025-character body", from(S.standard) { $0.body?.text = S.text(1_025, prefix: "{{1}} {{2}} ") }, ["template.body.too_long"]),
        TemplateCase(
            "CA-15: a gap, {{1}} and {{3}}",
            from(S.standard) { $0.body = TemplateBody(text: "{{1}} and {{3}}", samples: ["a", "b", "c"]) }, ["template.variables.not_sequential"]),
        TemplateCase(
            "CA-15: starting at {{2}}",
            from(S.standard) { $0.body = TemplateBody(text: "{{2}} and {{3}}", samples: ["a", "b", "c"]) }, ["template.variables.not_sequential"]),
        TemplateCase(
            "CA-15: starting at {{0}}",
            from(S.standard) { $0.body = TemplateBody(text: "{{0}} and {{1}}", samples: ["a"]) }, ["template.variables.not_sequential"]),
        TemplateCase("CA-18: {{ 1 }} with spaces", from(S.standard) { $0.body?.text += " {{ 1 }}" }, ["template.variables.malformed"]),
        TemplateCase("CA-18: an unclosed {{", from(S.standard) { $0.body?.text += " {{2" }, ["template.variables.malformed"]),
        TemplateCase("CA-19: a body sample missing", from(S.standard) { $0.body?.samples = ["A-1001"] }, ["template.samples.missing"]),
        TemplateCase("CA-19: a blank body sample", from(S.standard) { $0.body?.samples = ["A-1001", " "] }, ["template.samples.missing"]),
        TemplateCase("CA-19: the header sample missing", from(S.standard) { $0.header?.samples = [] }, ["template.samples.missing"]),
        TemplateCase(
            "CA-19: the URL sample missing",
            from(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "https://example.com/i/{{1}}") }, ["template.samples.missing"]),
        TemplateCase("CA-18: a variable in the footer", from(S.standard) { $0.footer?.text = "Sent to {{1}}" }, ["template.footer.variable"]),
        TemplateCase("Meta: a 61-character footer", from(S.standard) { $0.footer?.text = S.text(61) }, ["template.footer.too_long"]),
        TemplateCase("D-10: a shortened link in the body", from(S.standard) { $0.body?.text += " www.bit.ly/sale" }, ["template.url.shortened"]),
    ]

    static let headers: [TemplateCase] = [
        TemplateCase(
            "CA-21: a 61-character text header", from(S.standard) { $0.header?.text = S.text(61, prefix: "{{1}}") }, ["template.header.text.too_long"]
        ),
        TemplateCase(
            "CA-21: two header variables",
            from(S.standard) { $0.header = .text("{{1}} and {{2}}", samples: ["a", "b"]) }, ["template.header.too_many_variables"]),
        TemplateCase("CA-20: header type gif", from(S.standard) { $0.header?.type = .unknown("gif") }, ["template.header.type.invalid"]),
        TemplateCase("CA-20: a blank text header", from(S.standard) { $0.header = .text(" ") }, ["template.header.text.missing"]),
        TemplateCase("CA-20: text and media together", from(S.standard) { $0.header?.media = S.image() }, ["template.header.combined"]),
        TemplateCase("CA-22: an image header without media", from(S.callToAction) { $0.header?.media = nil }, ["template.header.media.missing"]),
        TemplateCase("CA-22: a PNG of 6 MB", from(S.callToAction) { $0.header?.media?.sizeBytes = 6 * mb }, ["template.header.media.too_large"]),
        TemplateCase(
            "CA-22: a PNG of 5 MB and 1 byte", from(S.callToAction) { $0.header?.media?.sizeBytes = 5 * mb + 1 },
            ["template.header.media.too_large"]),
        TemplateCase(
            "CA-22: a GIF image",
            from(S.callToAction) { $0.header?.media = S.image(mime: "image/gif", url: "https://cdn.example.com/a.gif") },
            ["template.header.media.format"]),
        TemplateCase(
            "CA-22: an MP4 of 16 MB and 1 byte",
            from(S.callToAction) {
                $0.header = .media(.video, MediaSample(url: "https://cdn.example.com/a.mp4", mimeType: "video/mp4", sizeBytes: 16 * mb + 1))
            },
            ["template.header.media.too_large"]),
        TemplateCase(
            "CA-22: a Word document",
            from(S.callToAction) {
                $0.header = .media(.document, MediaSample(url: "https://cdn.example.com/a.docx", mimeType: "application/msword", sizeBytes: 1_000))
            },
            ["template.header.media.format"]),
    ]

    static let buttons: [TemplateCase] = [
        TemplateCase(
            "CA-23: quick reply and URL mixed", from(S.standard) { $0.buttons.append(.url(text: "Open", url: "https://example.com")) },
            ["template.buttons.mixed"]),
        TemplateCase(
            "CA-23: 4 quick replies", from(S.standard) { $0.buttons += [.quickReply(text: "A"), .quickReply(text: "B")] },
            ["template.buttons.too_many_quick_replies"]),
        TemplateCase(
            "CA-23: two phone buttons", from(S.callToAction) { $0.buttons[0] = .phoneNumber(text: "Office", phoneNumber: "+918012345678") },
            ["template.buttons.too_many_phone"]),
        TemplateCase(
            "CA-23: two URL buttons", from(S.callToAction) { $0.buttons[1] = .url(text: "Help", url: "https://example.com/help") },
            ["template.buttons.too_many_url"]),
        TemplateCase(
            "CA-23, D-10: URL, phone and copy code are 3 CTAs",
            from(S.callToAction) {
                $0.category = "marketing"
                $0.buttons.append(.copyCode(code: "SALE25"))
            },
            ["template.buttons.too_many_cta"]),
        TemplateCase(
            "a 26-character button label", from(S.standard) { $0.buttons[0] = .quickReply(text: S.text(26)) }, ["template.button.text.invalid"]),
        TemplateCase(
            "a phone number without +", from(S.callToAction) { $0.buttons[1] = .phoneNumber(text: "Call", phoneNumber: "9876543210") },
            ["template.button.phone.invalid"]),
        TemplateCase(
            "a URL variable in the middle",
            from(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "https://example.com/{{1}}/view", sample: "x") },
            ["template.button.url.invalid"]),
        TemplateCase(
            "an ftp URL", from(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "ftp://example.com/a") }, ["template.button.url.invalid"]),
        TemplateCase(
            "D-10: a bit.ly button URL",
            from(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "https://bit.ly/{{1}}", sample: "x") }, ["template.url.shortened"]),
        TemplateCase("an unknown button type", from(S.standard) { $0.buttons[1] = .unknown(type: "flow") }, ["template.button.type.invalid"]),
    ]

    static let coupons: [TemplateCase] = [
        TemplateCase(
            "CA-24: a coupon code of 16 characters", from(S.coupon) { $0.buttons[0] = .copyCode(code: "SALE25SALE25ABCD") },
            ["template.coupon.code.invalid"]),
        TemplateCase(
            "CA-24: a coupon code with a hyphen", from(S.coupon) { $0.buttons[0] = .copyCode(code: "SALE-25") }, ["template.coupon.code.invalid"]),
        TemplateCase("CA-24: a coupon on a Utility template", from(S.coupon) { $0.category = "utility" }, ["template.coupon.not_marketing"]),
        TemplateCase("CA-24: two copy-code buttons", from(S.coupon) { $0.buttons[1] = .copyCode(code: "MORE10") }, ["template.coupon.too_many"]),
    ]

    static let carousels: [TemplateCase] = [
        TemplateCase("CA-25: a carousel of 11 cards", S.cards(11), ["template.carousel.card_count"]),
        TemplateCase("CA-25: a carousel of 1 card", S.cards(1), ["template.carousel.card_count"]),
        TemplateCase("CA-25: a carousel with a header", from(S.carousel) { $0.header = .text("Hello") }, ["template.carousel.header_not_allowed"]),
        TemplateCase(
            "CA-25: an 81-character headline", from(S.carousel) { $0.cards?[1].headline = S.text(81) }, ["template.card.headline.too_long"]),
        TemplateCase(
            "CA-25: a 161-character description", from(S.carousel) { $0.cards?[2].description = S.text(161) },
            ["template.card.description.too_long"]),
        TemplateCase(
            "CA-25: an 80-character headline and a 160-character description, 241 in Meta's one card BODY",
            from(S.carousel) { $0.cards?[2].headline = S.text(80); $0.cards?[2].description = S.text(160) }, ["template.card.text.too_long"]),
        TemplateCase(
            "CA-25: 3 buttons on every card",
            from(S.carousel) { $0.cards = $0.cards?.map { S.changedCard($0) { $0.buttons.append(.quickReply(text: "More")) } } },
            ["template.card.buttons.too_many", "template.card.buttons.too_many", "template.card.buttons.too_many"]),
        TemplateCase(
            "CA-25: a PNG card of 6 MB", from(S.carousel) { $0.cards?[0].media?.sizeBytes = 6 * mb }, ["template.card.media.too_large"]),
        TemplateCase(
            "CA-25: a card without media", from(S.carousel) { $0.cards?[0].media = nil }, ["template.card.media.missing"]),
        TemplateCase(
            "CA-25: document cards",
            from(S.carousel) { $0.cards = $0.cards?.map { S.changedCard($0) { $0.mediaType = "document" } } },
            ["template.card.media.format", "template.card.media.format", "template.card.media.format"]),
        TemplateCase("Meta: a Utility carousel", from(S.carousel) { $0.category = "utility" }, ["template.carousel.not_marketing"]),
        TemplateCase(
            "Meta: one card built differently", from(S.carousel) { $0.cards?[2].buttons.removeLast() }, ["template.carousel.cards_mismatch"]),
        TemplateCase("a variable in a card", from(S.carousel) { $0.cards?[0].headline = "For {{1}}" }, ["template.card.variable"]),
    ]

    static let several: [TemplateCase] = [
        TemplateCase(
            "several problems at once are all reported",
            TemplateContent(
                name: "Summer Sale", language: "fr", category: "utility",
                header: .text(S.text(61, prefix: "{{1}} {{2}} "), samples: ["a"]),
                body: TemplateBody(text: "Hi {{1}}, see {{3}} at https://tinyurl.com/x", samples: ["a"]),
                footer: TemplateFooter(text: "Bye {{1}}"),
                buttons: [.quickReply(text: "Yes"), .copyCode(code: "TOO-LONG-CODE-12345")]),
            [
                "template.buttons.mixed", "template.coupon.code.invalid", "template.coupon.not_marketing", "template.footer.variable",
                "template.header.text.too_long", "template.header.too_many_variables", "template.language.unsupported", "template.name.invalid",
                "template.samples.missing", "template.samples.missing", "template.url.shortened", "template.variables.not_sequential",
            ])
    ]
}

extension TemplateSamples {
    static func changedCard(_ card: CarouselCard, _ change: (inout CarouselCard) -> Void) -> CarouselCard {
        var card = card
        change(&card)
        return card
    }
}

@Suite("Campaigns template table")
struct TemplateTableTests {
    @Test("CA-13…CA-25, D-10: the template table", arguments: TemplateTable.cases)
    func table(_ row: TemplateCase) {
        let found = TemplateValidator.violations(of: row.template)
        #expect(found.map(\.code).sorted() == row.expected.sorted(), "\(found)")
    }

    @Test("the table has at least 45 rows, at least 12 of them valid")
    func tableSize() {
        #expect(TemplateTable.cases.count >= 45)
        #expect(TemplateTable.cases.filter(\.expected.isEmpty).count >= 12)
        #expect(Set(TemplateTable.cases.map(\.label)).count == TemplateTable.cases.count)
    }
}
