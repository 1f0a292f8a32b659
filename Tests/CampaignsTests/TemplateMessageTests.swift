@testable import Campaigns
import Foundation
import Testing

@Suite("Campaigns template message")
struct TemplateMessageTests {
    typealias S = TemplateSamples

    @Test("CA-26: a text header, body and no button parameters; digits-only recipient; quick replies omitted")
    func standard() throws {
        let message = try TemplateMessage(template: S.standard, to: "+919876543210", body: ["A-1001", "Friday"], header: "Ravi")
        #expect(
            try TemplateJSON.encoded(message)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"template",
                     "template":{"name":"order_update","language":{"code":"en_US"},"components":[
                       {"type":"header","parameters":[{"type":"text","text":"Ravi"}]},
                       {"type":"body","parameters":[{"type":"text","text":"A-1001"},{"type":"text","text":"Friday"}]}]}}
                    """))
    }

    @Test("CA-26: a media header takes the template's media unless the recipient has a link; the URL button its suffix")
    func callToAction() throws {
        let message = try TemplateMessage(template: S.callToAction, to: "+919876543210", body: ["INV-9"], urlButton: "INV-9")
        #expect(
            try TemplateJSON.encoded(message)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"template",
                     "template":{"name":"invoice_ready","language":{"code":"en"},"components":[
                       {"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/banner.png"}}]},
                       {"type":"body","parameters":[{"type":"text","text":"INV-9"}]},
                       {"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"INV-9"}]}]}}
                    """))
        let document = S.changed(S.callToAction) {
            $0.header = .media(.document, MediaSample(url: "https://cdn.example.com/a.pdf", mimeType: "application/pdf", sizeBytes: 10))
        }
        let own = try TemplateMessage(
            template: document, to: "+919876543210", body: ["INV-9"], header: "https://files.example.com/inv9.pdf", urlButton: "INV-9")
        #expect(
            own.template.components?.first
                == TemplateMessage.Component(
                    type: "header", parameters: [.media(.document, link: "https://files.example.com/inv9.pdf")]))
    }

    @Test("CA-24: the copy-code button sends its coupon at its index; a template without variables has no other components")
    func coupon() throws {
        let message = try TemplateMessage(template: S.coupon, to: "+447700900123")
        #expect(
            try TemplateJSON.encoded(message)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"447700900123","type":"template",
                     "template":{"name":"summer_sale","language":{"code":"en_GB"},"components":[
                       {"type":"button","sub_type":"copy_code","index":"0","parameters":[{"type":"coupon_code","coupon_code":"SALE25"}]}]}}
                    """))
        let plain = TemplateContent(name: "plain", language: "en", category: "utility", body: TemplateBody(text: "Hello."))
        #expect(
            try TemplateJSON.encoded(TemplateMessage(template: plain, to: "+919876543210"))
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"template",
                     "template":{"name":"plain","language":{"code":"en"}}}
                    """))
    }

    @Test("CA-25: a carousel sends its body values and each card's media by card_index")
    func carousel() throws {
        let message = try TemplateMessage(template: S.cards(2), to: "+919876543210", body: ["Ravi"])
        #expect(
            try TemplateJSON.encoded(message)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"template",
                     "template":{"name":"summer_carousel","language":{"code":"en_US"},"components":[
                       {"type":"body","parameters":[{"type":"text","text":"Ravi"}]},
                       {"type":"carousel","cards":[
                         {"card_index":0,"components":[
                           {"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/p0.jpg"}}]}]},
                         {"card_index":1,"components":[
                           {"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example.com/p1.jpg"}}]}]}]}]}}
                    """))
    }

    @Test("CA-31: a missing or blank value and a recipient not in E.164 are errors, not messages Meta would refuse")
    func errors() {
        #expect(throws: TemplateMessageError.missingValue(component: "body", placeholder: 2)) {
            try TemplateMessage(template: S.standard, to: "+919876543210", body: ["A-1001"], header: "Ravi")
        }
        #expect(throws: TemplateMessageError.missingValue(component: "body", placeholder: 1)) {
            try TemplateMessage(template: S.standard, to: "+919876543210", body: [" ", "Friday"], header: "Ravi")
        }
        #expect(throws: TemplateMessageError.missingValue(component: "header", placeholder: 1)) {
            try TemplateMessage(template: S.standard, to: "+919876543210", body: ["A-1001", "Friday"])
        }
        #expect(throws: TemplateMessageError.missingValue(component: "buttons.0", placeholder: 1)) {
            try TemplateMessage(template: S.callToAction, to: "+919876543210", body: ["INV-9"])
        }
        #expect(throws: TemplateMessageError.invalidRecipient("919876543210")) {
            try TemplateMessage(template: S.coupon, to: "919876543210")
        }
    }

    @Test("the preview renders the text header, body and footer; a missing value leaves nothing")
    func preview() {
        #expect(
            TemplateMessage.render(S.standard, body: ["A-1001", "Friday"], header: "Ravi") == """
                Hi Ravi
                Your order A-1001 ships on Friday.
                Reply STOP to opt out
                """)
        #expect(TemplateMessage.render(S.standard, body: ["A-1001"]) == "Hi \nYour order A-1001 ships on .\nReply STOP to opt out")
        #expect(TemplateMessage.render(S.callToAction, body: ["INV-9"]) == "Invoice INV-9 is ready.")
    }
}
