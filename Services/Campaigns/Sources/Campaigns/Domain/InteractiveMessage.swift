import Foundation
import ServiceKit

/// CA-54: a message the customer answers with a tap, sent inside their 24-hour window with no template approval:
/// reply buttons, a list (a guided menu of 1 to 10 options), or a media card with or without reply buttons.
/// The limits are those of Meta's Cloud API, which refuses a message over any of them.
struct InteractiveMessage: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        case buttons
        case list
        case mediaCard = "media_card"
    }

    struct Media: Codable, Sendable, Equatable {
        enum Kind: String, Codable, Sendable, CaseIterable {
            case image, video, document
        }

        var type: Kind
        var link: String
    }

    /// A reply button or a list row: what the customer taps, and the id their reply comes back with.
    struct Option: Codable, Sendable, Equatable {
        var id: String
        var title: String
        var description: String?
    }

    struct Section: Codable, Sendable, Equatable {
        var title: String?
        var rows: [Option]
    }

    var kind: Kind
    var body: String
    var footer: String?
    var headerText: String?
    var media: Media?
    /// Reply buttons: 1 to 3 for `buttons`, 0 to 3 for a media card.
    var buttons: [Option]
    /// A list's own button, the one that opens the menu.
    var listButton: String?
    var sections: [Section]

    enum CodingKeys: String, CodingKey {
        case kind, body, footer, media, buttons, sections
        case headerText = "header_text"
        case listButton = "list_button"
    }

    /// What the API was sent, before any check.
    struct Draft: Decodable, Sendable {
        struct Header: Decodable, Sendable {
            var type: String?
            var text: String?
            var link: String?
        }

        struct Row: Decodable, Sendable {
            var id: String?
            var title: String?
            var description: String?
        }

        struct Section: Decodable, Sendable {
            var title: String?
            var rows: [Row]?
        }

        var type: String?
        var header: Header?
        var body: String?
        var footer: String?
        var buttons: [Row]?
        var button: String?
        var sections: [Section]?
    }

    /// Why a draft cannot be sent; `field` is the path inside the request's `interactive` object.
    typealias Violation = FieldViolation

    // Meta's Cloud API limits, in characters.
    static let maxReplyButtons = 3
    static let maxButtonTitle = 20
    static let maxButtonID = 256
    static let maxOptions = 10  // CA-54: a guided menu has 1 to 10 options
    static let maxSections = 10
    static let maxRowTitle = 24
    static let maxRowID = 200
    static let maxRowDescription = 72
    static let maxSectionTitle = 24
    static let maxListButton = 20
    static let maxHeaderText = 60
    static let maxFooter = 60
    static let maxBody = 1_024
    static let maxListBody = 4_096
    static let maxLink = 2_048

    /// CA-54: the draft as a message Meta will take, or the first thing wrong with it.
    static func validated(_ draft: Draft) -> Result<InteractiveMessage, Violation> {
        Result { () throws(Violation) in try check(draft) }
    }

    private static func check(_ draft: Draft) throws(Violation) -> InteractiveMessage {
        guard let kind = draft.type.flatMap(Kind.init(rawValue:)) else {
            throw Violation(code: "interactive.type.invalid", field: "interactive.type", message: "The type is buttons, list or media_card.")
        }
        let body = try text(
            draft.body, field: "interactive.body", max: kind == .list ? maxListBody : maxBody, code: "interactive.body.invalid", lines: true)
        let footer = try draft.footer.map { (footer) throws(Violation) in try text(footer, field: "interactive.footer", max: maxFooter, code: "interactive.footer.invalid", lines: true) }
        var message = InteractiveMessage(
            kind: kind, body: body, footer: footer, headerText: nil, media: nil, buttons: [], listButton: nil, sections: [])
        try header(draft.header, into: &message)
        switch kind {
        case .buttons, .mediaCard:
            guard draft.sections == nil, draft.button == nil else {
                throw Violation(
                    code: "interactive.list_only", field: draft.sections != nil ? "interactive.sections" : "interactive.button",
                    message: "Sections and a list button belong to a list; \(kind.rawValue) carries reply buttons.")
            }
            let drafts = draft.buttons ?? []
            let least = kind == .buttons ? 1 : 0
            guard (least...maxReplyButtons).contains(drafts.count) else {
                throw Violation(
                    code: "interactive.buttons.count", field: "interactive.buttons",
                    message: "\(kind == .buttons ? "Reply buttons are 1" : "A media card has 0") to \(maxReplyButtons) buttons; send a list for up to \(maxOptions) options.")
            }
            message.buttons = try drafts.enumerated().map { (index, row) throws(Violation) in
                guard row.description == nil else {
                    throw Violation(
                        code: "interactive.button.description", field: "interactive.buttons[\(index)].description",
                        message: "A reply button has an id and a title only; descriptions belong to list rows.")
                }
                return try option(row, field: "interactive.buttons[\(index)]", maxID: maxButtonID, maxTitle: maxButtonTitle)
            }
            try unique(message.buttons, field: "interactive.buttons", titles: true)
            if kind == .mediaCard {
                guard message.media != nil else {
                    throw Violation(
                        code: "interactive.media.missing", field: "interactive.header",
                        message: "A media card has an image, video or document header with its https link.")
                }
                // Without buttons the card goes out as a media message with a caption, which has no footer.
                guard !message.buttons.isEmpty || footer == nil else {
                    throw Violation(
                        code: "interactive.footer.unsupported", field: "interactive.footer",
                        message: "A media card without buttons has no footer; put the text in the body.")
                }
            }
        case .list:
            guard draft.buttons == nil else {
                throw Violation(
                    code: "interactive.buttons.not_list", field: "interactive.buttons",
                    message: "A list offers its options as rows in sections, not as reply buttons.")
            }
            guard message.media == nil else {
                throw Violation(code: "interactive.header.list_text_only", field: "interactive.header", message: "A list's header is text only.")
            }
            message.listButton = try text(draft.button, field: "interactive.button", max: maxListButton, code: "interactive.button.invalid")
            let sections = draft.sections ?? []
            guard (1...maxSections).contains(sections.count) else {
                throw Violation(
                    code: "interactive.sections.count", field: "interactive.sections", message: "A list has 1 to \(maxSections) sections.")
            }
            message.sections = try sections.enumerated().map { (index, section) throws(Violation) in
                let field = "interactive.sections[\(index)]"
                // Meta needs a section title once there is more than one section.
                let title: String? =
                    sections.count > 1 || section.title != nil
                    ? try text(section.title, field: "\(field).title", max: maxSectionTitle, code: "interactive.section.title.invalid") : nil
                let rows = section.rows ?? []
                guard !rows.isEmpty else {
                    throw Violation(code: "interactive.section.empty", field: "\(field).rows", message: "Every section has at least one row.")
                }
                return Section(
                    title: title,
                    rows: try rows.enumerated().map { (row, draft) throws(Violation) in
                        var option = try option(draft, field: "\(field).rows[\(row)]", maxID: maxRowID, maxTitle: maxRowTitle)
                        option.description = try draft.description.map { (description) throws(Violation) in
                            try text(description, field: "\(field).rows[\(row)].description", max: maxRowDescription, code: "interactive.row.description.invalid")
                        }
                        return option
                    })
            }
            let rows = message.sections.flatMap(\.rows)
            guard rows.count <= maxOptions else {
                throw Violation(
                    code: "interactive.options.count", field: "interactive.sections",
                    message: "A guided menu has 1 to \(maxOptions) options in all its sections; this one has \(rows.count).")
            }
            try unique(rows, field: "interactive.sections", titles: false)
        }
        return message
    }

    private static func header(_ draft: Draft.Header?, into message: inout InteractiveMessage) throws(Violation) {
        guard let draft else { return }
        if draft.type == "text" {
            guard draft.link == nil else {
                throw Violation(code: "interactive.header.combined", field: "interactive.header.link", message: "A text header has no link.")
            }
            message.headerText = try text(draft.text, field: "interactive.header.text", max: maxHeaderText, code: "interactive.header.text.invalid")
            return
        }
        guard let kind = draft.type.flatMap(Media.Kind.init(rawValue:)) else {
            throw Violation(
                code: "interactive.header.type.invalid", field: "interactive.header.type", message: "A header's type is text, image, video or document.")
        }
        guard draft.text == nil else {
            throw Violation(
                code: "interactive.header.combined", field: "interactive.header.text",
                message: "A media header has a link and no text; the text goes in the body.")
        }
        guard let link = draft.link, link.unicodeScalars.count <= maxLink, !TextRules.hasControlCharacters(link),
            let url = URLComponents(string: link), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty
        else {
            throw Violation(
                code: "interactive.header.link.invalid", field: "interactive.header.link",
                message: "The media's link is an https URL of at most \(maxLink) characters that Meta can fetch.")
        }
        message.media = Media(type: kind, link: link)
    }

    private static func option(_ draft: Draft.Row, field: String, maxID: Int, maxTitle: Int) throws(Violation) -> Option {
        guard let id = draft.id, (1...maxID).contains(id.unicodeScalars.count), !TextRules.hasControlCharacters(id) else {
            throw Violation(
                code: "interactive.option.id.invalid", field: "\(field).id",
                message: "Every option has an id of 1 to \(maxID) characters; the customer's reply comes back with it.")
        }
        let title = try text(draft.title, field: "\(field).title", max: maxTitle, code: "interactive.option.title.invalid")
        return Option(id: id, title: title, description: nil)
    }

    /// Replies come back with the option's id, and a customer tells buttons apart by their titles.
    private static func unique(_ options: [Option], field: String, titles: Bool) throws(Violation) {
        if Set(options.map(\.id)).count != options.count {
            throw Violation(code: "interactive.option.id.duplicate", field: field, message: "Every option has its own id.")
        }
        if titles, Set(options.map { $0.title.lowercased() }).count != options.count {
            throw Violation(code: "interactive.option.title.duplicate", field: field, message: "Every reply button has its own title.")
        }
    }

    /// 1 to `max` characters once trimmed, no control characters; newlines only where Meta shows more than one line
    /// (the body, the footer). Characters are counted as Unicode code points, the strictest count Meta may apply: a
    /// text over Meta's limit is refused here with its field, not failed by Meta after the API said 202.
    private static func text(_ text: String?, field: String, max: Int, code: String, lines: Bool = false) throws(Violation) -> String {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard text != nil, !trimmed.isEmpty, trimmed.unicodeScalars.count <= max, !TextRules.hasControlCharacters(trimmed, allowingNewline: lines)
        else {
            throw Violation(
                code: code, field: field,
                message: "The \(field) has 1 to \(max) characters and no control characters\(lines ? "" : " or line breaks").")
        }
        return trimmed
    }
}
