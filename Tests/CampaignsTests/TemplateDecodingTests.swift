import Foundation
import Testing

@testable import Campaigns

@Suite("Campaigns template JSON")
struct TemplateDecodingTests {
    func decode(_ json: String) throws -> TemplateContent {
        try JSONDecoder().decode(TemplateContent.self, from: Data(json.utf8))
    }

    @Test("our API's snake_case JSON decodes into TemplateContent; unknown keys are ignored")
    func full() throws {
        let template = try decode(
            """
            {"name":"invoice_ready","language":"en","category":"utility","owner":"ignored",
             "header":{"type":"image","media":{"url":"https://cdn.example.com/banner.png","mime_type":"image/png","size_bytes":200000,"w":1}},
             "body":{"text":"Invoice {{1}} is ready.","samples":["INV-7"]},
             "buttons":[{"type":"url","text":"View invoice","url":"https://example.com/invoices/{{1}}","sample":"INV-7"},
                        {"type":"phone_number","text":"Call us","phone_number":"+919876543210"}]}
            """)
        #expect(template == TemplateSamples.callToAction)
        let coupon = try decode(
            """
            {"name":"summer_sale","language":"en_GB","category":"marketing","body":{"text":"Use code SALE25 for 25% off until Sunday."},
             "footer":null,"buttons":[{"type":"copy_code","code":"SALE25"},{"type":"url","text":"Shop now","url":"https://shop.example.com/sale"}]}
            """)
        #expect(coupon == TemplateSamples.coupon)
    }

    @Test("CA-25: cards decode with media_type, media, headline, description and buttons")
    func carousel() throws {
        let template = try decode(
            """
            {"name":"summer_carousel","language":"en_US","category":"marketing","body":{"text":"Hi {{1}}, pick a favourite:","samples":["Asha"]},
             "cards":[{"media_type":"image","media":{"url":"https://cdn.example.com/p0.jpg","mime_type":"image/jpeg","size_bytes":200000},
                       "headline":"Product 0","description":"Fresh stock, ships today.",
                       "buttons":[{"type":"quick_reply","text":"Buy"},{"type":"url","text":"Details","url":"https://shop.example.com/p/0"}]}]}
            """)
        #expect(template == TemplateSamples.cards(1))
    }

    @Test("round trip: what we encode decodes to the same template")
    func roundTrip() throws {
        for template in [TemplateSamples.standard, TemplateSamples.callToAction, TemplateSamples.coupon, TemplateSamples.carousel] {
            #expect(try JSONDecoder().decode(TemplateContent.self, from: JSONEncoder().encode(template)) == template)
        }
    }

    @Test("CA-20: an unknown header type decodes and is reported as template.header.type.invalid")
    func unknownHeaderType() throws {
        let template = try decode(
            """
            {"name":"where_we_are","language":"en","category":"utility","header":{"type":"location"},"body":{"text":"Visit us."}}
            """)
        #expect(template.header?.type == .unknown("location"))
        let violations = TemplateValidator.violations(of: template)
        #expect(violations.map(\.code) == ["template.header.type.invalid"])
        #expect(violations.map(\.field) == ["header.type"])
        #expect(violations.first?.message.contains("location") == true)
    }

    @Test("absent keys decode to defaults that the validator names, never a decoding error")
    func absentKeys() throws {
        let template = try decode(#"{"header":{"text":"Hi"},"buttons":[{"type":"flow"},{"type":"url"}],"cards":null}"#)
        #expect(template.language == "en")
        #expect(template.buttons == [.unknown(type: "flow"), .url(text: "", url: "")])
        #expect(!template.isCarousel)
        #expect(
            TemplateValidator.violations(of: template).map { [$0.code, $0.field] } == [
                ["template.name.invalid", "name"], ["template.category.invalid", "category"], ["template.header.type.invalid", "header.type"],
                ["template.body.missing", "body"], ["template.button.type.invalid", "buttons.0"], ["template.button.text.invalid", "buttons.1"],
                ["template.button.url.invalid", "buttons.1"],
            ])
        let media = try decode(#"{"name":"a","category":"utility","header":{"type":"video","media":{}},"body":{"text":"x"}}"#)
        #expect(TemplateValidator.violations(of: media).map(\.code) == ["template.header.media.missing"])
    }

    @Test("a violation encodes as the API's error detail: code, field, message")
    func violationJSON() throws {
        let violation = TemplateViolation(code: "template.buttons.mixed", field: "buttons", message: "Never mixed.")
        #expect(
            try TemplateJSON.encoded(violation)
                == TemplateJSON.parse(#"{"code":"template.buttons.mixed","field":"buttons","message":"Never mixed."}"#))
    }
}
