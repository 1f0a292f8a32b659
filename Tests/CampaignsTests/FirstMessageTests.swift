@testable import Campaigns
import Foundation
import Testing

@Suite("Campaigns First Message tag")
struct FirstMessageTests {
    static let link = FirstMessage.Link(id: UUID(), name: "Lamps product page", kind: .link)

    @Test("CA-57: an ad or post Meta names tags the contact, then an entry link's code, else direct")
    func ca57Sources() {
        let ad = FirstMessage.Referral(sourceType: "ad", sourceID: "120210", sourceURL: "https://fb.me/x", headline: "Diwali lamps", clickID: "ARAk")
        let tagged = FirstMessage.tag(referral: ad, link: Self.link)
        #expect(tagged.source == .ad)
        #expect(tagged.label == "Diwali lamps")
        #expect(tagged.adID == "120210")
        #expect(tagged.clickID == "ARAk")
        #expect(tagged.linkID == nil)
        let post = FirstMessage.Referral(sourceType: "POST", sourceID: "998", sourceURL: nil, headline: " ", clickID: nil)
        #expect(FirstMessage.tag(referral: post, link: nil) == FirstMessage.Tag(source: .post, label: "998", linkID: nil, adID: "998", adURL: nil, clickID: nil))
        // A referral of a kind we do not know is no ad: the link decides.
        let odd = FirstMessage.Referral(sourceType: "story", sourceID: "1", sourceURL: nil, headline: nil, clickID: nil)
        #expect(FirstMessage.tag(referral: odd, link: Self.link).source == .link)
        #expect(FirstMessage.tag(referral: nil, link: Self.link).label == "Lamps product page")
        #expect(FirstMessage.tag(referral: nil, link: FirstMessage.Link(id: UUID(), name: "Shop QR", kind: .qr)).source == .qr)
        #expect(FirstMessage.tag(referral: nil, link: nil) == FirstMessage.Tag(source: .direct, label: nil, linkID: nil, adID: nil, adURL: nil, clickID: nil))
        let long = FirstMessage.Referral(sourceType: "ad", sourceID: "1", sourceURL: nil, headline: String(repeating: "h", count: 500), clickID: nil)
        #expect(FirstMessage.tag(referral: long, link: nil).label?.count == 200)
    }

    @Test("CA-57: a message's code is the last bracketed code of six unambiguous characters, in any case")
    func ca57Codes() {
        #expect(EntryLink.code(in: "Hi, I want the lamp [K7Q2M9]") == "K7Q2M9")
        #expect(EntryLink.code(in: "[k7q2m9] hello") == "K7Q2M9")
        #expect(EntryLink.code(in: "see [ABCDEF] and [K7Q2M9]") == "K7Q2M9")
        #expect(EntryLink.code(in: "[K7Q2M9] then [not a code]") == "K7Q2M9")
        #expect(EntryLink.code(in: "Hi [ [K7Q2M9]") == "K7Q2M9", "a stray bracket before the code")
        #expect(EntryLink.code(in: "[x [K7Q2M9] ]") == "K7Q2M9")
        for text in [nil, "", "no code", "[K7Q2M]", "[K7Q2M99]", "[K0Q2M9]", "[K1Q2M9]", "[K7Q2M9", "K7Q2M9]"] {
            #expect(EntryLink.code(in: text) == nil, "\(text ?? "nil")")
        }
        let code = EntryLink.newCode()
        #expect(code.count == 6)
        #expect(EntryLink.code(in: EntryLink.prefilled("Hello", code: code)) == code)
        #expect(EntryLink.code(in: EntryLink.prefilled("", code: code)) == code)
    }

    @Test("CA-57: the link is WhatsApp's click-to-chat link with the text and code prefilled, encoded")
    func ca57LinkURL() {
        #expect(EntryLink.url(digits: "+919876543210", text: "Hi & hello? 100%", code: "K7Q2M9")
            == "https://wa.me/919876543210?text=Hi%20%26%20hello%3F%20100%25%20%5BK7Q2M9%5D")
        #expect(EntryLink.url(digits: "+919876543210", text: "", code: "K7Q2M9") == "https://wa.me/919876543210?text=%5BK7Q2M9%5D")
    }

    @Test("CA-57: an entry-link page cursor names the last link exactly and refuses anything else")
    func ca57EntryLinkCursor() {
        let id = UUID(uuidString: "6F1C2D3E-4A5B-4C6D-8E9F-0A1B2C3D4E5F")!
        let cursor = EntryLinkStore.Cursor(microseconds: 1_764_620_000_123_456, key: id)
        #expect(cursor.text == "1764620000123456-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f")
        #expect(EntryLinkStore.Cursor(text: cursor.text) == cursor)
        for bad in [
            "", "-", "12-", "-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "x-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "12-not-a-uuid",
            "+12-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "12_6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "12-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f-1",
            "9223372036854775807-6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        ] {
            #expect(EntryLinkStore.Cursor(text: bad) == nil, "\(bad)")
        }
    }
}
