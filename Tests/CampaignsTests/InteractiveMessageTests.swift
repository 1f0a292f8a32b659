@testable import Campaigns
import Contracts
import Foundation
import Testing

@Suite("Campaigns interactive messages")
struct InteractiveMessageTests {
    typealias Draft = InteractiveMessage.Draft

    static func draft(_ json: String) throws -> Draft { try JSONDecoder().decode(Draft.self, from: Data(json.utf8)) }

    static func violation(_ json: String) throws -> InteractiveMessage.Violation? {
        if case .failure(let violation) = InteractiveMessage.validated(try draft(json)) { return violation }
        return nil
    }

    static func message(_ json: String) throws -> InteractiveMessage {
        try InteractiveMessage.validated(try draft(json)).get()
    }

    static func rows(_ count: Int) -> String {
        (1...count).map { #"{"id":"r\#($0)","title":"Option \#($0)"}"# }.joined(separator: ",")
    }

    @Test("CA-54: a guided menu has 1 to 10 options across its sections; 11 are refused with the field")
    func ca54MenuOptions() throws {
        let ten = try Self.message(#"{"type":"list","body":"Pick one","button":"Menu","sections":[{"rows":[\#(Self.rows(10))]}]}"#)
        #expect(ten.sections.first?.rows.count == 10)
        #expect(ten.listButton == "Menu")
        let split = try Self.violation(
            #"{"type":"list","body":"Pick","button":"Menu","sections":[{"title":"A","rows":[\#(Self.rows(6))]},{"title":"B","rows":[{"id":"b1","title":"B1"},{"id":"b2","title":"B2"},{"id":"b3","title":"B3"},{"id":"b4","title":"B4"},{"id":"b5","title":"B5"}]}]}"#)
        #expect(split == InteractiveMessage.Violation(
            code: "interactive.options.count", field: "interactive.sections",
            message: "A guided menu has 1 to 10 options in all its sections; this one has 11."))
        #expect(try Self.violation(#"{"type":"list","body":"Pick","button":"Menu","sections":[{"rows":[]}]}"#)?.code == "interactive.section.empty")
        #expect(try Self.violation(#"{"type":"list","body":"Pick","button":"Menu","sections":[]}"#)?.code == "interactive.sections.count")
        // Meta needs a title on every section once there are two.
        let untitled = try Self.violation(
            #"{"type":"list","body":"Pick","button":"Menu","sections":[{"title":"A","rows":[{"id":"a","title":"A"}]},{"rows":[{"id":"b","title":"B"}]}]}"#)
        #expect(untitled?.code == "interactive.section.title.invalid")
        #expect(untitled?.field == "interactive.sections[1].title")
        // Replies come back by id, so ids are unique across the whole list.
        let twice = try Self.violation(
            #"{"type":"list","body":"Pick","button":"Menu","sections":[{"title":"A","rows":[{"id":"x","title":"A"}]},{"title":"B","rows":[{"id":"x","title":"B"}]}]}"#)
        #expect(twice?.code == "interactive.option.id.duplicate")
    }

    @Test("CA-54: reply buttons are 1 to 3, titles at most 20 characters and distinct; a menu of more goes as a list")
    func ca54ReplyButtons() throws {
        let three = try Self.message(
            #"{"type":"buttons","header":{"type":"text","text":"Order A-1001"},"body":"How was the delivery?","footer":"One tap","buttons":[{"id":"good","title":"Good"},{"id":"ok","title":"Okay"},{"id":"bad","title":"Bad"}]}"#)
        #expect(three.buttons.map(\.id) == ["good", "ok", "bad"])
        #expect(three.headerText == "Order A-1001")
        #expect(three.footer == "One tap")
        let four = try Self.violation(
            #"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"A"},{"id":"2","title":"B"},{"id":"3","title":"C"},{"id":"4","title":"D"}]}"#)
        #expect(four?.code == "interactive.buttons.count")
        #expect(four?.field == "interactive.buttons")
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi"}"#)?.code == "interactive.buttons.count")
        let long = try Self.violation(#"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"Twenty-one characters"}]}"#)
        #expect(long?.code == "interactive.option.title.invalid")
        #expect(long?.field == "interactive.buttons[0].title")
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"Twenty characters ok"}]}"#) == nil)
        // Counted in code points, the strictest count Meta may apply: these 15 characters as a reader counts them are 26.
        let hindi = try Self.violation(#"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"धन्यवाद ऑर्डर कन्फर्म करें"}]}"#)
        #expect(hindi?.code == "interactive.option.title.invalid")
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"धन्यवाद"}]}"#) == nil)
        // A title is one line; the body may have several.
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi\nthere","buttons":[{"id":"1","title":"Yes\nNo"}]}"#)?.field == "interactive.buttons[0].title")
        let same = try Self.violation(#"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"Yes"},{"id":"2","title":"YES"}]}"#)
        #expect(same?.code == "interactive.option.title.duplicate")
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi","buttons":[{"title":"Yes"}]}"#)?.field == "interactive.buttons[0].id")
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi","button":"Menu","buttons":[{"id":"1","title":"Yes"}]}"#)?.code == "interactive.list_only")
        #expect(try Self.violation(#"{"type":"list","body":"Hi","button":"Menu","buttons":[{"id":"1","title":"Yes"}],"sections":[{"rows":[{"id":"a","title":"A"}]}]}"#)?.code == "interactive.buttons.not_list")
    }

    @Test("CA-54: texts within Meta's limits, no control characters; a media card needs an https media header")
    func ca54Limits() throws {
        #expect(try Self.violation(#"{"type":"carousel","body":"Hi"}"#)?.code == "interactive.type.invalid")
        #expect(try Self.violation(#"{"type":"buttons","body":"  ","buttons":[{"id":"1","title":"A"}]}"#)?.field == "interactive.body")
        let body1025 = String(repeating: "a", count: 1_025)
        #expect(try Self.violation(#"{"type":"buttons","body":"\#(body1025)","buttons":[{"id":"1","title":"A"}]}"#)?.code == "interactive.body.invalid")
        // A list's body may be longer: Meta takes 4,096 there.
        #expect(try Self.violation(#"{"type":"list","body":"\#(body1025)","button":"Menu","sections":[{"rows":[{"id":"a","title":"A"}]}]}"#) == nil)
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi\u0007","buttons":[{"id":"1","title":"A"}]}"#)?.code == "interactive.body.invalid")
        let footer61 = String(repeating: "f", count: 61)
        #expect(try Self.violation(#"{"type":"buttons","body":"Hi","footer":"\#(footer61)","buttons":[{"id":"1","title":"A"}]}"#)?.code == "interactive.footer.invalid")
        #expect(try Self.violation(#"{"type":"media_card","body":"Lamp","buttons":[]}"#)?.code == "interactive.media.missing")
        let http = try Self.violation(#"{"type":"media_card","header":{"type":"image","link":"http://cdn.example.com/lamp.jpg"},"body":"Lamp"}"#)
        #expect(http?.code == "interactive.header.link.invalid")
        #expect(http?.field == "interactive.header.link")
        #expect(try Self.violation(#"{"type":"media_card","header":{"type":"audio","link":"https://cdn.example.com/a.mp3"},"body":"Lamp"}"#)?.code == "interactive.header.type.invalid")
        #expect(try Self.violation(#"{"type":"media_card","header":{"type":"image","link":"https://cdn.example.com/l.jpg","text":"x"},"body":"Lamp"}"#)?.code == "interactive.header.combined")
        #expect(try Self.violation(#"{"type":"list","header":{"type":"image","link":"https://cdn.example.com/l.jpg"},"body":"Pick","button":"Menu","sections":[{"rows":[{"id":"a","title":"A"}]}]}"#)?.code == "interactive.header.list_text_only")
        // Without buttons the card goes as a media message with a caption, which has no footer.
        #expect(try Self.violation(#"{"type":"media_card","header":{"type":"image","link":"https://cdn.example.com/l.jpg"},"body":"Lamp","footer":"x"}"#)?.code == "interactive.footer.unsupported")
        let row = try Self.violation(#"{"type":"list","body":"Pick","button":"Menu","sections":[{"rows":[{"id":"a","title":"A","description":"\#(String(repeating: "d", count: 73))"}]}]}"#)
        #expect(row?.field == "interactive.sections[0].rows[0].description")
    }

    @Test("CA-54: buttons, a list and both media cards go out in Meta's Cloud API shapes")
    func ca54CloudShapes() throws {
        let to = try #require(PhoneNumber(e164: "+919876543210"))
        func wire(_ json: String) throws -> TemplateJSON {
            try TemplateJSON.encoded(CloudInteractiveMessage(to: to, message: try Self.message(json)))
        }
        #expect(
            try wire(#"{"type":"buttons","header":{"type":"text","text":"Order A-1001"},"body":"How was it?","footer":"One tap","buttons":[{"id":"good","title":"Good"},{"id":"bad","title":"Bad"}]}"#)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"interactive",
                     "interactive":{"type":"button","header":{"type":"text","text":"Order A-1001"},"body":{"text":"How was it?"},
                      "footer":{"text":"One tap"},"action":{"buttons":[{"type":"reply","reply":{"id":"good","title":"Good"}},
                      {"type":"reply","reply":{"id":"bad","title":"Bad"}}]}}}
                    """))
        #expect(
            try wire(#"{"type":"list","body":"Which team?","button":"Teams","sections":[{"title":"Sales","rows":[{"id":"s1","title":"New order","description":"Place an order"}]},{"title":"Support","rows":[{"id":"h1","title":"Help"}]}]}"#)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"interactive",
                     "interactive":{"type":"list","body":{"text":"Which team?"},"action":{"button":"Teams","sections":[
                       {"title":"Sales","rows":[{"id":"s1","title":"New order","description":"Place an order"}]},
                       {"title":"Support","rows":[{"id":"h1","title":"Help"}]}]}}}
                    """))
        #expect(
            try wire(#"{"type":"media_card","header":{"type":"image","link":"https://cdn.example.com/lamp.jpg"},"body":"Aurora lamp, ₹1,299","buttons":[{"id":"buy","title":"Buy now"}]}"#)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"interactive",
                     "interactive":{"type":"button","header":{"type":"image","image":{"link":"https://cdn.example.com/lamp.jpg"}},
                      "body":{"text":"Aurora lamp, ₹1,299"},"action":{"buttons":[{"type":"reply","reply":{"id":"buy","title":"Buy now"}}]}}}
                    """))
        #expect(
            try wire(#"{"type":"media_card","header":{"type":"document","link":"https://cdn.example.com/menu.pdf"},"body":"Our menu"}"#)
                == TemplateJSON.parse(
                    """
                    {"messaging_product":"whatsapp","recipient_type":"individual","to":"919876543210","type":"document",
                     "document":{"link":"https://cdn.example.com/menu.pdf","caption":"Our menu"}}
                    """))
    }

    @Test("CA-54: a stored interactive message reads back as itself; text and template payloads are read as before")
    func ca54StoredPayload() throws {
        let message = try Self.message(#"{"type":"buttons","body":"Hi","buttons":[{"id":"1","title":"A"}]}"#)
        let stored = try JSONEncoder().encode(MessagePayload.interactive(message))
        #expect(try JSONDecoder().decode(MessagePayload.self, from: stored) == .interactive(message))
        #expect(try JSONDecoder().decode(MessagePayload.self, from: Data(#"{"text":"Hello"}"#.utf8)) == .text("Hello"))
        #expect(try JSONDecoder().decode(MessagePayload.self, from: Data(#"{"body":["A"]}"#.utf8)) == .template(body: ["A"], header: nil, button: nil))
    }
}
