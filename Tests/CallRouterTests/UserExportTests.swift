@testable import CallRouter
import Contracts
import Foundation
import ServiceKit
import Testing

@Suite("CallRouter users export")
struct UserExportTests {
    @Test("X-18: the users export filters by role, department and the date added (from inclusive, to exclusive)")
    func x18Filter() {
        let sales = DepartmentID()
        let added = Date(timeIntervalSince1970: 1_796_000_000)
        #expect(UserExportFilter().matches(role: .agent, departments: [], added: added))
        #expect(UserExportFilter(role: .agent).matches(role: .agent, departments: [], added: added))
        #expect(!UserExportFilter(role: .manager).matches(role: .agent, departments: [], added: added))
        #expect(UserExportFilter(department: sales).matches(role: .agent, departments: [sales], added: added))
        #expect(!UserExportFilter(department: sales).matches(role: .agent, departments: [DepartmentID()], added: added))
        #expect(UserExportFilter(addedFrom: added).matches(role: .agent, departments: [], added: added))
        #expect(!UserExportFilter(addedTo: added).matches(role: .agent, departments: [], added: added))
        #expect(!UserExportFilter(addedFrom: added.addingTimeInterval(1)).matches(role: .agent, departments: [], added: added))
    }
}
