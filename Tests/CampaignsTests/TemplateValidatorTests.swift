import Foundation
import Testing

@testable import Campaigns

@Suite("Campaigns template rules")
struct TemplateValidatorTests {
    typealias S = TemplateSamples

    /// (code, field) of every violation, in the validator's order.
    func found(_ template: TemplateContent) -> [[String]] {
        TemplateValidator.violations(of: template).map { [$0.code, $0.field] }
    }

    func changed(_ base: TemplateContent, _ change: (inout TemplateContent) -> Void) -> TemplateContent { S.changed(base, change) }

    @Test("the sample templates are valid")
    func samplesAreValid() {
        for template in [S.standard, S.callToAction, S.coupon, S.carousel] {
            #expect(TemplateValidator.violations(of: template) == [])
        }
    }

    @Test("CA-13: a name is 1–512 of a–z, 0–9 and _, and the message says what is wrong")
    func ca13Name() {
        let cases: [(String, String?)] = [
            ("order_confirmation_2", nil), (S.text(512), nil),
            ("order confirmation", "contains a space"), ("", "is empty"), (S.text(513), "has 513 characters"),
            ("Order_confirmation", "contains an uppercase letter"), ("order-confirmation", "contains a hyphen"), ("order.v2", "contains '.'"),
        ]
        for (name, reason) in cases {
            let violations = TemplateValidator.violations(of: changed(S.standard) { $0.name = name })
            if let reason {
                #expect(violations.map(\.code) == ["template.name.invalid"], "\(name)")
                #expect(violations.map(\.field) == ["name"])
                #expect(violations.first?.message.contains(reason) == true, "\(violations)")
            } else {
                #expect(violations == [], "\(name)")
            }
        }
        let both = TemplateValidator.violations(of: changed(S.standard) { $0.name = "Order Confirmation" })
        #expect(both.first?.message.contains("contains a space and contains an uppercase letter") == true)
    }

    @Test("CA-14, CA-74, D-10: languages en, en_US and en_GB only; CA-06: categories marketing, utility, authentication")
    func ca14Language() {
        for language in ["en", "en_US", "en_GB"] {
            #expect(found(changed(S.standard) { $0.language = language }) == [])
        }
        for language in ["hi", "en_IN", "EN_us", ""] {
            #expect(found(changed(S.standard) { $0.language = language }) == [["template.language.unsupported", "language"]])
        }
        for category in ["utility", "authentication"] {
            #expect(found(changed(S.callToAction) { $0.category = category }) == [])
        }
        for category in ["Marketing", "service", ""] {
            #expect(found(changed(S.standard) { $0.category = category }) == [["template.category.invalid", "category"]])
        }
    }

    @Test("CA-15, D-10: placeholders are {{1}}…{{n}} per component without gaps; repeats are fine; malformed ones are reported")
    func ca15Sequential() {
        func body(_ text: String, _ samples: [String] = ["a", "b", "c"]) -> [[String]] {
            found(changed(S.standard) { $0.body = TemplateBody(text: text, samples: samples) })
        }
        #expect(body("{{1}} {{2}} {{1}} {{3}}") == [])
        #expect(body("{{1}} and {{3}}") == [["template.variables.not_sequential", "body.text"]])
        #expect(body("{{2}} and {{3}}") == [["template.variables.not_sequential", "body.text"]])
        #expect(body("{{0}} and {{1}}") == [["template.variables.not_sequential", "body.text"]])
        for text in ["{{ 1 }}", "{{a}}", "{{}}", "{{01}}", "Hi {{1", "Hi 1}}", "{{{1}}}"] {
            #expect(body(text).first == ["template.variables.malformed", "body.text"], "\(text)")
        }
        // Each component is numbered on its own: the header's {{1}} and the body's {{1}}, {{2}} are both right.
        #expect(found(S.standard) == [])
        #expect(
            found(changed(S.standard) { $0.header = .text("Hi {{2}}", samples: ["a", "b"]) })
                == [["template.variables.not_sequential", "header.text"]])
        #expect(
            found(changed(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "https://example.com/{{2}}", sample: "x") })
                == [["template.variables.not_sequential", "buttons.0"]])
    }

    @Test("CA-17: the body is mandatory and at most 1,024 characters as written, variables included")
    func ca17Body() {
        #expect(found(changed(S.standard) { $0.body = nil }) == [["template.body.missing", "body"]])
        #expect(found(changed(S.standard) { $0.body?.text = " \n\t" }) == [["template.body.missing", "body"]])
        #expect(found(changed(S.standard) { $0.body?.text = S.text(1_024, prefix: "{{1}}{{2}}") }) == [])
        #expect(found(changed(S.standard) { $0.body?.text = S.text(1_025, prefix: "{{1}}{{2}}") }) == [["template.body.too_long", "body.text"]])
        // Characters, not bytes: 1,024 emoji (each one Character, several bytes) are fine.
        #expect(found(changed(S.standard) { $0.body = TemplateBody(text: String(repeating: "👍🏽", count: 1_024)) }) == [])
    }

    @Test("CA-18: variables only in the body, the text header and URLs; never in the footer or a button label")
    func ca18Footer() {
        #expect(found(changed(S.standard) { $0.footer?.text = "Sent to {{1}}" }) == [["template.footer.variable", "footer.text"]])
        #expect(found(changed(S.standard) { $0.footer?.text = "Sent to {{name}}" }) == [["template.footer.variable", "footer.text"]])
        #expect(found(changed(S.standard) { $0.footer?.text = S.text(61) }) == [["template.footer.too_long", "footer.text"]])
        #expect(found(changed(S.standard) { $0.buttons[1] = .quickReply(text: "Hi {{1}}") }) == [["template.button.text.invalid", "buttons.1"]])
    }

    @Test("CA-19: every variable of the body, the text header and a URL button needs a non-blank sample")
    func ca19Samples() {
        #expect(found(changed(S.standard) { $0.body?.samples = ["A-1001"] }) == [["template.samples.missing", "body.samples"]])
        #expect(found(changed(S.standard) { $0.body?.samples = ["", "Monday"] }) == [["template.samples.missing", "body.samples"]])
        #expect(found(changed(S.standard) { $0.header?.samples = [] }) == [["template.samples.missing", "header.samples"]])
        #expect(
            found(changed(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "https://example.com/{{1}}", sample: " ") })
                == [["template.samples.missing", "buttons.0"]])
        let missing = TemplateValidator.violations(of: changed(S.standard) { $0.body = TemplateBody(text: "{{1}} {{2}} {{3}}", samples: ["a"]) })
        #expect(missing.first?.message.contains("{{2}}, {{3}}") == true)
        // More samples than variables do no harm.
        #expect(found(changed(S.standard) { $0.body?.samples += ["extra"] }) == [])
    }

    @Test("CA-20: one header of type text, image, video or document, never combined")
    func ca20Header() {
        #expect(found(changed(S.standard) { $0.header = nil }) == [])
        #expect(found(changed(S.standard) { $0.header?.type = .unknown("location") }) == [["template.header.type.invalid", "header.type"]])
        #expect(found(changed(S.standard) { $0.header?.media = S.image() }) == [["template.header.combined", "header"]])
        #expect(found(changed(S.callToAction) { $0.header?.text = "Hello" }) == [["template.header.combined", "header"]])
        #expect(found(changed(S.standard) { $0.header = .text("") }) == [["template.header.text.missing", "header.text"]])
        #expect(found(changed(S.callToAction) { $0.header?.media = nil }) == [["template.header.media.missing", "header.media"]])
        #expect(found(changed(S.callToAction) { $0.header?.media?.url = "banner.png" }) == [["template.header.media.missing", "header.media"]])
    }

    @Test("CA-21: a 61-character text header is template.header.text.too_long; two header variables are too many")
    func ca21TextHeader() {
        #expect(found(changed(S.standard) { $0.header?.text = S.text(60, prefix: "{{1}}") }) == [])
        #expect(found(changed(S.standard) { $0.header?.text = S.text(61, prefix: "{{1}}") }) == [["template.header.text.too_long", "header.text"]])
        #expect(
            found(changed(S.standard) { $0.header = .text("{{1}} and {{2}}", samples: ["a", "b"]) })
                == [["template.header.too_many_variables", "header.text"]])
        #expect(found(changed(S.standard) { $0.header = .text("{{1}} and {{1}}", samples: ["a"]) }) == [])
        #expect(found(changed(S.standard) { $0.header = .text("No variable") }) == [])
    }

    @Test("CA-22: image JPG/PNG ≤ 5 MB, video MP4 ≤ 16 MB, document PDF ≤ 10 MB; exactly the limit is fine")
    func ca22Media() {
        let mb = S.megabyte
        func header(_ kind: TemplateMediaKind, _ mime: String, _ url: String, _ bytes: Int) -> [[String]] {
            found(
                changed(S.callToAction) {
                    $0.header = .media(kind, MediaSample(url: "https://cdn.example.com/" + url, mimeType: mime, sizeBytes: bytes))
                })
        }
        #expect(header(.image, "image/png", "a.png", 5 * mb) == [])
        #expect(header(.image, "image/jpeg", "a.JPG", 1_000) == [])
        #expect(header(.image, "image/jpeg", "media/123", 1_000) == [])
        #expect(header(.image, "image/png", "a.png", 6 * mb) == [["template.header.media.too_large", "header.media"]])
        #expect(header(.image, "image/gif", "a.gif", 1_000) == [["template.header.media.format", "header.media"]])
        #expect(header(.image, "image/png", "a.gif", 1_000) == [["template.header.media.format", "header.media"]])
        #expect(header(.video, "video/mp4", "a.mp4", 16 * mb) == [])
        #expect(header(.video, "video/mp4", "a.mp4", 16 * mb + 1) == [["template.header.media.too_large", "header.media"]])
        #expect(header(.video, "video/quicktime", "a.mov", 1_000) == [["template.header.media.format", "header.media"]])
        #expect(header(.document, "application/pdf", "a.pdf", 10 * mb) == [])
        #expect(header(.document, "application/pdf", "a.pdf", 10 * mb + 1) == [["template.header.media.too_large", "header.media"]])
        #expect(
            header(.document, "image/png", "a.png", 11 * mb) == [
                ["template.header.media.format", "header.media"], ["template.header.media.too_large", "header.media"],
            ])
    }

    @Test("CA-23: up to 2 CTAs (1 phone, 1 URL) or up to 3 quick replies, never mixed; labels 1–25 characters")
    func ca23Buttons() {
        let url = TemplateButton.url(text: "Open", url: "https://example.com/a")
        let phone = TemplateButton.phoneNumber(text: "Call", phoneNumber: "+919876543210")
        func buttons(_ buttons: [TemplateButton]) -> [[String]] { found(changed(S.callToAction) { $0.buttons = buttons }) }
        #expect(buttons([url, phone]) == [])
        #expect(buttons([.quickReply(text: "Yes"), url]) == [["template.buttons.mixed", "buttons"]])
        #expect(buttons(Array(repeating: .quickReply(text: "Yes"), count: 4)) == [["template.buttons.too_many_quick_replies", "buttons"]])
        #expect(buttons([url, url]) == [["template.buttons.too_many_url", "buttons"]])
        #expect(buttons([phone, phone]) == [["template.buttons.too_many_phone", "buttons"]])
        #expect(buttons([url, phone, phone]) == [["template.buttons.too_many_cta", "buttons"], ["template.buttons.too_many_phone", "buttons"]])
        #expect(
            buttons([.quickReply(text: S.text(25)), .quickReply(text: S.text(26)), .quickReply(text: " ")]) == [
                ["template.button.text.invalid", "buttons.1"], ["template.button.text.invalid", "buttons.2"],
            ])
        for number in ["9876543210", "+91 98765 43210", "+1234567", "+0919876543210", "+1234567890123456"] {
            #expect(buttons([.phoneNumber(text: "Call", phoneNumber: number)]) == [["template.button.phone.invalid", "buttons.0"]], "\(number)")
        }
        for link in ["example.com/a", "ftp://example.com", "https://", "https://example.com/{{1}}/x", "https://example.com/{{1}}{{1}}"] {
            #expect(buttons([.url(text: "Open", url: link, sample: "x")]) == [["template.button.url.invalid", "buttons.0"]], "\(link)")
        }
    }

    @Test("CA-24: one copy-code button, only on Marketing, code 1–15 letters or digits; it counts as a CTA (D-10)")
    func ca24Coupon() {
        #expect(found(S.coupon) == [])
        #expect(found(changed(S.coupon) { $0.buttons[0] = .copyCode(code: "SALE25SALE25ABCD") }) == [["template.coupon.code.invalid", "buttons.0"]])
        #expect(found(changed(S.coupon) { $0.buttons[0] = .copyCode(code: "") }) == [["template.coupon.code.invalid", "buttons.0"]])
        #expect(found(changed(S.coupon) { $0.buttons[0] = .copyCode(code: "SALÉ25") }) == [["template.coupon.code.invalid", "buttons.0"]])
        #expect(found(changed(S.coupon) { $0.category = "utility" }) == [["template.coupon.not_marketing", "buttons.0"]])
        #expect(found(changed(S.coupon) { $0.category = "authentication" }) == [["template.coupon.not_marketing", "buttons.0"]])
        #expect(found(changed(S.coupon) { $0.buttons[1] = .copyCode(code: "MORE10") }) == [["template.coupon.too_many", "buttons"]])
        #expect(
            found(changed(S.coupon) { $0.buttons.append(.phoneNumber(text: "Call", phoneNumber: "+919876543210")) })
                == [["template.buttons.too_many_cta", "buttons"]])
        #expect(found(changed(S.coupon) { $0.buttons.append(.quickReply(text: "Stop")) }) == [["template.buttons.mixed", "buttons"]])
    }

    @Test("CA-25: a carousel of 11 cards is template.carousel.card_count; 2–10 cards of image or video, headline ≤ 80, description ≤ 160, both ≤ 160 together")
    func ca25Carousel() {
        #expect(found(S.cards(2)) == [] && found(S.cards(10)) == [])
        #expect(found(S.cards(11)) == [["template.carousel.card_count", "cards"]])
        #expect(found(S.cards(1)) == [["template.carousel.card_count", "cards"]])
        #expect(found(S.cards(0)) == [["template.carousel.card_count", "cards"]])
        #expect(found(changed(S.carousel) { $0.header = .text("Hi") }) == [["template.carousel.header_not_allowed", "header"]])
        #expect(found(changed(S.carousel) { $0.footer = TemplateFooter(text: "Bye") }) == [["template.carousel.footer_not_allowed", "footer"]])
        #expect(found(changed(S.carousel) { $0.buttons = [.quickReply(text: "Yes")] }) == [["template.carousel.buttons_not_allowed", "buttons"]])
        #expect(found(changed(S.carousel) { $0.body = nil }) == [["template.body.missing", "body"]])
        #expect(found(changed(S.carousel) { $0.cards?[1].headline = S.text(80) }) == [])
        #expect(found(changed(S.carousel) { $0.cards?[1].headline = S.text(81) }) == [["template.card.headline.too_long", "cards.1.headline"]])
        // Headline and description travel as one card BODY of at most 160 characters ("Product 2", a newline, the rest).
        #expect(found(changed(S.carousel) { $0.cards?[2].description = S.text(150) }) == [])
        #expect(found(changed(S.carousel) { $0.cards?[2].description = S.text(151) }) == [["template.card.text.too_long", "cards.2.description"]])
        #expect(found(changed(S.carousel) { $0.cards?[2].headline = S.text(80); $0.cards?[2].description = S.text(79) }) == [])
        #expect(
            found(changed(S.carousel) { $0.cards?[2].description = S.text(161) }) == [["template.card.description.too_long", "cards.2.description"]])
        #expect(found(changed(S.carousel) { $0.cards?[0].media = nil }) == [["template.card.media.missing", "cards.0.media"]])
        #expect(
            found(changed(S.carousel) { $0.cards?[0].media?.sizeBytes = 6 * S.megabyte }) == [["template.card.media.too_large", "cards.0.media"]])
        #expect(found(changed(S.carousel) { $0.cards?[0].media?.mimeType = "video/mp4" }) == [["template.card.media.format", "cards.0.media"]])
        let videos = changed(S.carousel) {
            $0.cards = $0.cards?.map {
                S.changedCard($0) {
                    $0.mediaType = "video"
                    $0.media = MediaSample(url: "https://x.example/v.mp4", mimeType: "video/mp4", sizeBytes: 16 * S.megabyte)
                }
            }
        }
        #expect(found(videos) == [])
        let threeButtons = changed(S.carousel) {
            $0.cards = $0.cards?.map { S.changedCard($0) { $0.buttons.insert(.phoneNumber(text: "Call", phoneNumber: "+919876543210"), at: 0) } }
        }
        #expect(found(threeButtons) == (0..<3).map { ["template.card.buttons.too_many", "cards.\($0).buttons"] })
        let coupons = changed(S.carousel) { $0.cards = $0.cards?.map { S.changedCard($0) { $0.buttons[0] = .copyCode(code: "SALE25") } } }
        #expect(found(coupons) == (0..<3).map { ["template.button.type.invalid", "cards.\($0).buttons.0"] })
        #expect(found(changed(S.carousel) { $0.category = "utility" }) == [["template.carousel.not_marketing", "category"]])
        #expect(
            found(changed(S.carousel) { $0.cards?[1].mediaType = "video" }) == [
                ["template.carousel.cards_mismatch", "cards"], ["template.card.media.format", "cards.1.media"],
            ])
        #expect(
            found(changed(S.carousel) { $0.cards?[0].buttons[1] = .url(text: "Details", url: "https://shop.example.com/{{1}}") })
                == [["template.card.variable", "cards.0.buttons.1"]])
        #expect(found(changed(S.carousel) { $0.cards?[0].description = "Only {{1}}" }) == [["template.card.variable", "cards.0.description"]])
    }

    @Test("D-10: shortened URLs (and their subdomains, any case) are template.url.shortened in buttons, body, header and footer")
    func d10Shorteners() {
        for host in TemplateURL.shortenerHosts.sorted() {
            let template = changed(S.callToAction) { $0.buttons[0] = .url(text: "View", url: "https://\(host)/{{1}}", sample: "x") }
            #expect(found(template) == [["template.url.shortened", "buttons.0"]], "\(host)")
        }
        for url in ["https://WWW.BIT.LY/x", "http://go.tinyurl.com/abc", "https://t.co"] {
            #expect(
                found(changed(S.callToAction) { $0.buttons[0] = .url(text: "View", url: url) }) == [["template.url.shortened", "buttons.0"]], "\(url)"
            )
        }
        #expect(found(changed(S.standard) { $0.body?.text += " Shop at https://bit.ly/sale." }) == [["template.url.shortened", "body.text"]])
        #expect(found(changed(S.standard) { $0.body?.text += " (www.Cutt.ly/x)" }) == [["template.url.shortened", "body.text"]])
        #expect(
            found(changed(S.standard) { $0.header?.text = "{{1}}: goo.gl is not a link, http://goo.gl/x is" }) == [
                ["template.url.shortened", "header.text"]
            ])
        #expect(found(changed(S.standard) { $0.footer?.text = "More: www.rebrand.ly/a" }) == [["template.url.shortened", "footer.text"]])
        for text in ["https://notbit.ly/x", "https://bit.ly.example.com/x", "https://example.com/t.co", "visit bit.ly"] {
            #expect(found(changed(S.standard) { $0.body?.text += " " + text }) == [], "\(text)")
        }
    }
}
