@testable import Campaigns
import Foundation
import Testing

@Suite("Campaigns canned messages and automatic replies")
struct CannedMessageTests {
    static let values = CannedMessage.Values(contactName: "Asha", contactPhone: "+919876543210", businessName: "Aurora Lamps")

    @Test("CA-52: a shortcut is what follows '/', lower-case letters, digits, '_' and '-', 1 to 30")
    func ca52Shortcuts() throws {
        #expect(try CannedMessage.shortcut("/thanks").get() == "thanks")
        #expect(try CannedMessage.shortcut("order-status_2").get() == "order-status_2")
        for bad in ["", "/", "Thanks", "two words", "ünïcode", String(repeating: "a", count: 31)] {
            #expect(throws: CannedMessage.Violation.self, "\(bad)") { try CannedMessage.shortcut(bad).get() }
        }
        #expect(throws: Never.self) { try CannedMessage.shortcut(String(repeating: "a", count: 30)).get() }
    }

    @Test("CA-52: only contact.name, contact.phone and business.name are variables, written whole, at most 10")
    func ca52Variables() throws {
        #expect(try CannedMessage.text("  Hi {{contact.name}}, {{ business.name }} here. ").get() == "Hi {{contact.name}}, {{ business.name }} here.")
        for bad in ["Order {{order.id}}", "Hi {{contact.name", "Hi {{}}", "Hi {{1}}", "Hi {{ {{contact.name}} }}"] {
            #expect(throws: CannedMessage.Violation(
                code: "canned_message.variable.unknown", field: "text",
                message: "Variables are {{contact.name}}, {{contact.phone}} and {{business.name}}, each written whole."), "\(bad)") {
                try CannedMessage.text(bad).get()
            }
        }
        let eleven = String(repeating: "{{contact.name}} ", count: 11)
        #expect(throws: CannedMessage.Violation.self) { try CannedMessage.text(eleven).get() }
        #expect(throws: Never.self) { try CannedMessage.text(String(repeating: "{{contact.name}} ", count: 10)).get() }
        #expect(throws: CannedMessage.Violation.self) { try CannedMessage.text(String(repeating: "x", count: 3_001)).get() }
        #expect(throws: CannedMessage.Violation.self) { try CannedMessage.text("Hi\u{1B}there").get() }
        #expect(throws: CannedMessage.Violation.self) { try CannedMessage.text(" \n ").get() }
        #expect(try CannedMessage.text("Line one\nLine two").get() == "Line one\nLine two")
    }

    @Test("CA-52: the values fill in; a contact without a profile name is shown by their number; values are cut and cleaned")
    func ca52Render() {
        #expect(CannedMessage.render("Hi {{contact.name}}, {{ business.name }} will call {{contact.phone}}.", with: Self.values)
            == "Hi Asha, Aurora Lamps will call +919876543210.")
        var unnamed = Self.values
        unnamed.contactName = nil
        #expect(CannedMessage.render("Hi {{contact.name}}", with: unnamed) == "Hi +919876543210")
        unnamed.contactName = ""
        #expect(CannedMessage.render("Hi {{contact.name}}", with: unnamed) == "Hi +919876543210")
        var odd = Self.values
        odd.contactName = "Ra\u{7}vi" + String(repeating: "x", count: 200)
        let rendered = CannedMessage.render("{{contact.name}}", with: odd)
        #expect(rendered.count == CannedMessage.maxValue)
        #expect(rendered.hasPrefix("Ra vi"))
        // Ten variables of the longest values stay within Meta's 4,096.
        var long = Self.values
        long.businessName = String(repeating: "b", count: 500)
        let text = String(repeating: "x", count: CannedMessage.maxText - 10 * 17) + String(repeating: "{{business.name}}", count: 10)
        #expect(CannedMessage.render(text, with: long).count <= 4_096)
    }

    static let kolkata = TimeZone(identifier: "Asia/Kolkata")!
    static let weekdays = OpeningHours(days: [1, 2, 3, 4, 5], opens: "09:00", closes: "18:00")

    /// 2026-12-01 was a Tuesday; `hour:minute` in Kolkata.
    static func tuesday(_ hour: Int, _ minute: Int = 0, day: Int = 1) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = kolkata
        return calendar.date(from: DateComponents(year: 2026, month: 12, day: day, hour: hour, minute: minute))!
    }

    @Test("CA-53: the Greeting inside business hours and the Away reply outside, read in the number's own time zone")
    func ca53GreetingOrAway() {
        let greeting = UUID()
        let away = UUID()
        let reply = AutoReply(greetingID: greeting, awayID: away, chatbotActive: false)
        #expect(reply.choice(at: Self.tuesday(9), now: Self.tuesday(9), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata)?.0 == .greeting)
        #expect(reply.choice(at: Self.tuesday(17, 59), now: Self.tuesday(17, 59), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata)?.1 == greeting)
        // The closing time is outside; so are the weekend and the night.
        #expect(reply.choice(at: Self.tuesday(18), now: Self.tuesday(18), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata)?.1 == away)
        #expect(reply.choice(at: Self.tuesday(8, 59), now: Self.tuesday(8, 59), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata)?.0 == .away)
        #expect(reply.choice(at: Self.tuesday(11, day: 6), now: Self.tuesday(11, day: 6), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata)?.0 == .away)
        // 11:00 in Kolkata is 05:30 in London: the same instant is outside a London number's hours.
        #expect(reply.choice(at: Self.tuesday(11), now: Self.tuesday(11), previous: nil, hours: [Self.weekdays], timeZone: TimeZone(identifier: "Europe/London")!)?.0 == .away)
        // No hours at all: no reply (business hours come first), rather than "we are closed" all day.
        #expect(reply.choice(at: Self.tuesday(11), now: Self.tuesday(11), previous: nil, hours: [], timeZone: Self.kolkata) == nil)
        // 23:59 closes at the end of the day.
        let allDay = OpeningHours(days: [1, 2, 3, 4, 5, 6, 7], opens: "00:00", closes: "23:59")
        #expect(reply.choice(at: Self.tuesday(23, 59), now: Self.tuesday(23, 59), previous: nil, hours: [allDay], timeZone: Self.kolkata)?.0 == .greeting)
        #expect(reply.choice(at: Self.tuesday(0, 0), now: Self.tuesday(0, 0), previous: nil, hours: [allDay], timeZone: Self.kolkata)?.0 == .greeting)
        // Only the reply that is set goes out.
        let greetingOnly = AutoReply(greetingID: greeting, awayID: nil, chatbotActive: false)
        #expect(greetingOnly.choice(at: Self.tuesday(20), now: Self.tuesday(20), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata) == nil)
    }

    @Test("CA-53: one reply per conversation, none while a chatbot answers")
    func ca53OncePerConversation() {
        let reply = AutoReply(greetingID: UUID(), awayID: UUID(), chatbotActive: false)
        let at = Self.tuesday(10)
        #expect(reply.choice(at: at, now: at, previous: at.addingTimeInterval(-3_600), hours: [Self.weekdays], timeZone: Self.kolkata) == nil)
        #expect(reply.choice(at: at, now: at, previous: at.addingTimeInterval(-86_400), hours: [Self.weekdays], timeZone: Self.kolkata)?.0 == .greeting)
        // A message delivered late, older than the last one on file, starts nothing.
        #expect(reply.choice(at: at, now: at, previous: at.addingTimeInterval(600), hours: [Self.weekdays], timeZone: Self.kolkata) == nil)
        // A message processed more than 15 minutes after it was written (an outage, Meta's retries) gets nothing.
        #expect(reply.choice(at: at, now: at.addingTimeInterval(15 * 60), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata)?.0 == .greeting)
        #expect(reply.choice(at: at, now: at.addingTimeInterval(15 * 60 + 1), previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata) == nil)
        var bot = reply
        bot.chatbotActive = true
        #expect(bot.choice(at: at, now: at, previous: nil, hours: [Self.weekdays], timeZone: Self.kolkata) == nil)
    }
}
