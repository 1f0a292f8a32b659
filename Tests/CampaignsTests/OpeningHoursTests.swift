@testable import Campaigns
import Testing

@Suite("Campaigns number opening hours")
struct OpeningHoursTests {
    @Test("CA-53: a number's business hours are days 1 (Monday) to 7, each once, and an opening before the closing, HH:mm")
    func ca53OpeningHours() {
        #expect(OpeningHours(days: [1, 2, 3, 4, 5], opens: "09:00", closes: "18:00").isValid)
        #expect(OpeningHours(days: [7], opens: "00:00", closes: "23:59").isValid)
        for invalid in [
            OpeningHours(days: [], opens: "09:00", closes: "18:00"), OpeningHours(days: [1, 1], opens: "09:00", closes: "18:00"),
            OpeningHours(days: [8], opens: "09:00", closes: "18:00"), OpeningHours(days: [0], opens: "09:00", closes: "18:00"),
            OpeningHours(days: [1], opens: "18:00", closes: "09:00"), OpeningHours(days: [1], opens: "09:00", closes: "09:00"),
            OpeningHours(days: [1], opens: "24:00", closes: "25:00"), OpeningHours(days: [1], opens: "9:00", closes: "18:00"),
            OpeningHours(days: [1], opens: "09:60", closes: "18:00"), OpeningHours(days: [1], opens: "0900", closes: "18:00"),
        ] {
            #expect(!invalid.isValid, "\(invalid)")
        }
    }
}
