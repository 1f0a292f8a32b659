import ServiceKit
import Storage

/// The schema the CallRouter's prepared statements name (`PreparedText` texts are fixed per type).
enum CallRouterSQL {
    static let schema = CallRouterService.identity.schema.rawValue
}
