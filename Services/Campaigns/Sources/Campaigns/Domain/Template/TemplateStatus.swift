/// Where a template is in the provider's review (CA-08, D-11).
enum TemplateStatus: String, Codable, Sendable, CaseIterable {
    case draft, pending, approved, rejected, paused, disabled

    /// CA-12: only an approved template is sent. A draft or pending one (unapproved), a paused, rejected or disabled
    /// one would not be delivered, so nothing is sent with it.
    var isSendable: Bool { self == .approved }
}
