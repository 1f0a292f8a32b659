import Contracts
import Foundation
import ServiceKit

/// the users export, filtered by role, department and the date the user was added.
struct UserExportFilter: Sendable, Equatable {
    var role: Role?
    var department: DepartmentID?
    /// Added at or after.
    var addedFrom: Date?
    /// Added before.
    var addedTo: Date?

    /// A user of `role`, member of `departments`, added at `added`.
    func matches(role: Role, departments: Set<DepartmentID>, added: Date) -> Bool {
        if let wanted = self.role, wanted != role { return false }
        if let department, !departments.contains(department) { return false }
        if let addedFrom, added < addedFrom { return false }
        if let addedTo, added >= addedTo { return false }
        return true
    }
}
