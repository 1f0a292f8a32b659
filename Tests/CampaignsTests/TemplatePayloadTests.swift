import Foundation
import Testing

@testable import Campaigns

/// A JSON document as JSONSerialization reads it, comparable and printable, so that tests compare structures, not text.
indirect enum TemplateJSON: Equatable, CustomStringConvertible {
    case object([String: TemplateJSON])
    case array([TemplateJSON])
    case string(String)
    case number(Double)
    case null

    init(any value: Any) throws {
        switch value {
        case let text as String: self = .string(text)
        case let object as [String: Any]: self = .object(try object.mapValues { try TemplateJSON(any: $0) })
        case let array as [Any]: self = .array(try array.map { try TemplateJSON(any: $0) })
        case let number as NSNumber: self = .number(number.doubleValue)
        case is NSNull: self = .null
        default: throw CocoaError(.coderInvalidValue)
        }
    }

    static func parse(_ text: String) throws -> TemplateJSON { try TemplateJSON(any: JSONSerialization.jsonObject(with: Data(text.utf8))) }

    static func encoded(_ value: some Encodable) throws -> TemplateJSON {
        try TemplateJSON(any: JSONSerialization.jsonObject(with: JSONEncoder().encode(value)))
    }

    var description: String {
        switch self {
        case .object(let object): "{" + object.keys.sorted().map { "\"\($0)\":\(object[$0]!)" }.joined(separator: ",") + "}"
        case .array(let array): "[" + array.map(\.description).joined(separator: ",") + "]"
        case .string(let text): "\"\(text)\""
        case .number(let number): "\(number)"
        case .null: "null"
        }
    }
}

@Suite("Campaigns Meta template payload")
struct TemplatePayloadTests {
    typealias S = TemplateSamples

    @Test("D-11: a text header, body, footer and quick replies become Meta's components with examples")
    func standard() throws {
        let payload = try MetaTemplatePayload(S.standard)
        #expect(
            try TemplateJSON.encoded(payload)
                == TemplateJSON.parse(
                    """
                    {"name":"order_update","language":"en_US","category":"MARKETING","components":[
                      {"type":"HEADER","format":"TEXT","text":"Hi {{1}}","example":{"header_text":["Asha"]}},
                      {"type":"BODY","text":"Your order {{1}} ships on {{2}}.","example":{"body_text":[["A-1001","Monday"]]}},
                      {"type":"FOOTER","text":"Reply STOP to opt out"},
                      {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Track order"},{"type":"QUICK_REPLY","text":"Talk to us"}]}]}
                    """))
    }

    @Test("D-11: an image header, a URL button with its example and a phone button")
    func callToAction() throws {
        #expect(
            try TemplateJSON.encoded(MetaTemplatePayload(S.callToAction))
                == TemplateJSON.parse(
                    """
                    {"name":"invoice_ready","language":"en","category":"UTILITY","components":[
                      {"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://cdn.example.com/banner.png"]}},
                      {"type":"BODY","text":"Invoice {{1}} is ready.","example":{"body_text":[["INV-7"]]}},
                      {"type":"BUTTONS","buttons":[
                        {"type":"URL","text":"View invoice","url":"https://example.com/invoices/{{1}}",
                         "example":["https://example.com/invoices/INV-7"]},
                        {"type":"PHONE_NUMBER","text":"Call us","phone_number":"+919876543210"}]}]}
                    """))
    }

    @Test("CA-24: a coupon template: no example without variables, the code as the copy-code example")
    func coupon() throws {
        #expect(
            try TemplateJSON.encoded(MetaTemplatePayload(S.coupon))
                == TemplateJSON.parse(
                    """
                    {"name":"summer_sale","language":"en_GB","category":"MARKETING","components":[
                      {"type":"BODY","text":"Use code SALE25 for 25% off until Sunday."},
                      {"type":"BUTTONS","buttons":[
                        {"type":"COPY_CODE","example":"SALE25"},
                        {"type":"URL","text":"Shop now","url":"https://shop.example.com/sale"}]}]}
                    """))
    }

    @Test("CA-25: a carousel is a BODY and a CAROUSEL whose cards carry header, headline + description, buttons")
    func carousel() throws {
        #expect(
            try TemplateJSON.encoded(MetaTemplatePayload(S.cards(2)))
                == TemplateJSON.parse(
                    """
                    {"name":"summer_carousel","language":"en_US","category":"MARKETING","components":[
                      {"type":"BODY","text":"Hi {{1}}, pick a favourite:","example":{"body_text":[["Asha"]]}},
                      {"type":"CAROUSEL","cards":[
                        {"components":[
                          {"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://cdn.example.com/p0.jpg"]}},
                          {"type":"BODY","text":"Product 0\\nFresh stock, ships today."},
                          {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Buy"},
                            {"type":"URL","text":"Details","url":"https://shop.example.com/p/0"}]}]},
                        {"components":[
                          {"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://cdn.example.com/p1.jpg"]}},
                          {"type":"BODY","text":"Product 1\\nFresh stock, ships today."},
                          {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Buy"},
                            {"type":"URL","text":"Details","url":"https://shop.example.com/p/1"}]}]}]}]}
                    """))
    }

    @Test("D-11: an invalid template is never turned into Meta's request; the rejection carries every violation")
    func rejected() {
        let template = S.changed(S.standard) {
            $0.name = "Bad Name"
            $0.footer?.text = "{{1}}"
        }
        #expect(throws: TemplateRejection(violations: TemplateValidator.violations(of: template))) { try MetaTemplatePayload(template) }
        do {
            _ = try MetaTemplatePayload(template)
        } catch {
            #expect(error.violations.map(\.code) == ["template.name.invalid", "template.footer.variable"])
        }
    }
}
