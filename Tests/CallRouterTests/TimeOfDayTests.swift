@testable import CallRouter
import Testing

@Suite("CallRouter time-of-day filter")
struct TimeOfDayTests {
    @Test("CR-58: HH:mm from 00:00 to 23:59; the window includes its start, excludes its end, and may run past midnight")
    func cr58Window() {
        #expect(TimeOfDay.minutes("00:00") == 0)
        #expect(TimeOfDay.minutes("23:59") == 1_439)
        for bad in ["24:00", "9:00", "09:60", "0900", "09:00:00", "-1:00", "٠٩:٠٠", ""] {
            #expect(TimeOfDay.minutes(bad) == nil, "\(bad)")
        }
        let office = TimeOfDay(from: 9 * 60, to: 18 * 60)
        #expect(office.contains(9 * 60))
        #expect(office.contains(17 * 60 + 59))
        #expect(!office.contains(18 * 60))
        #expect(!office.contains(8 * 60 + 59))
        let night = TimeOfDay(from: 22 * 60, to: 6 * 60)
        #expect(night.contains(23 * 60))
        #expect(night.contains(0))
        #expect(night.contains(5 * 60 + 59))
        #expect(!night.contains(6 * 60))
        #expect(!night.contains(12 * 60))
        #expect(TimeOfDay.sql(9 * 60 + 5) == "09:05:00")
    }
}
