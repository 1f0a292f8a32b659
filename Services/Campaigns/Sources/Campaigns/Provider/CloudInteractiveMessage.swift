import Contracts

/// CA-54: an interactive message as Meta's Cloud API takes it. Reply buttons and lists are `type: interactive`
/// (`button` or `list`); a media card with buttons is a button message with a media header, and one without buttons
/// is a plain image, video or document message with the body as its caption.
struct CloudInteractiveMessage: Encodable {
    var to: PhoneNumber
    var message: InteractiveMessage

    private enum Key: String, CodingKey {
        case messagingProduct = "messaging_product", recipientType = "recipient_type", to, type, interactive
        case header, body, footer, action, text, buttons, button, sections, reply, id, title, description, rows, link, caption
        case image, video, document
    }

    func encode(to encoder: any Encoder) throws {
        var root = encoder.container(keyedBy: Key.self)
        try root.encode("whatsapp", forKey: .messagingProduct)
        try root.encode("individual", forKey: .recipientType)
        try root.encode(String(to.e164.dropFirst()), forKey: .to)
        if message.kind == .mediaCard, message.buttons.isEmpty, let media = message.media {
            let key = Self.key(media.type)
            try root.encode(media.type.rawValue, forKey: .type)
            var content = root.nestedContainer(keyedBy: Key.self, forKey: key)
            try content.encode(media.link, forKey: .link)
            try content.encode(message.body, forKey: .caption)
            return
        }
        try root.encode("interactive", forKey: .type)
        var interactive = root.nestedContainer(keyedBy: Key.self, forKey: .interactive)
        try interactive.encode(message.kind == .list ? "list" : "button", forKey: .type)
        if let text = message.headerText {
            var header = interactive.nestedContainer(keyedBy: Key.self, forKey: .header)
            try header.encode("text", forKey: .type)
            try header.encode(text, forKey: .text)
        } else if let media = message.media {
            var header = interactive.nestedContainer(keyedBy: Key.self, forKey: .header)
            try header.encode(media.type.rawValue, forKey: .type)
            var content = header.nestedContainer(keyedBy: Key.self, forKey: Self.key(media.type))
            try content.encode(media.link, forKey: .link)
        }
        var body = interactive.nestedContainer(keyedBy: Key.self, forKey: .body)
        try body.encode(message.body, forKey: .text)
        if let footer = message.footer {
            var container = interactive.nestedContainer(keyedBy: Key.self, forKey: .footer)
            try container.encode(footer, forKey: .text)
        }
        var action = interactive.nestedContainer(keyedBy: Key.self, forKey: .action)
        if message.kind == .list {
            try action.encode(message.listButton ?? "", forKey: .button)
            var sections = action.nestedUnkeyedContainer(forKey: .sections)
            for section in message.sections {
                var container = sections.nestedContainer(keyedBy: Key.self)
                try container.encodeIfPresent(section.title, forKey: .title)
                var rows = container.nestedUnkeyedContainer(forKey: .rows)
                for option in section.rows {
                    var row = rows.nestedContainer(keyedBy: Key.self)
                    try row.encode(option.id, forKey: .id)
                    try row.encode(option.title, forKey: .title)
                    try row.encodeIfPresent(option.description, forKey: .description)
                }
            }
        } else {
            var buttons = action.nestedUnkeyedContainer(forKey: .buttons)
            for option in message.buttons {
                var button = buttons.nestedContainer(keyedBy: Key.self)
                try button.encode("reply", forKey: .type)
                var reply = button.nestedContainer(keyedBy: Key.self, forKey: .reply)
                try reply.encode(option.id, forKey: .id)
                try reply.encode(option.title, forKey: .title)
            }
        }
    }

    private static func key(_ kind: InteractiveMessage.Media.Kind) -> Key {
        switch kind {
        case .image: .image
        case .video: .video
        case .document: .document
        }
    }
}
