import Foundation

/// What Meta posts to the webhook (`object: whatsapp_business_account`), the parts Campaigns reads. Unknown
/// fields and change kinds are ignored; a part that cannot be read is skipped, never fatal for the rest.
struct WebhookPayload: Decodable, Sendable {
    var object: String
    var entry: [Entry]

    enum CodingKeys: String, CodingKey { case object, entry }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(String.self, forKey: .object)
        entry = try container.decode(Lossy<Entry>.self, forKey: .entry).elements
    }

    struct Entry: Decodable, Sendable {
        var id: String?
        var changes: [Change]

        enum CodingKeys: String, CodingKey { case id, changes }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decodeIfPresent(String.self, forKey: .id)
            changes = try container.decodeIfPresent(Lossy<Change>.self, forKey: .changes)?.elements ?? []
        }
    }

    /// An array whose unreadable elements are skipped: one malformed status must not make Meta retry the whole post
    /// forever, nor hide the statuses next to it.
    struct Lossy<Element: Decodable & Sendable>: Decodable, Sendable {
        var elements: [Element] = []

        /// Accepts any JSON value without reading it, so the container moves past an element of any shape.
        private struct Skip: Decodable {
            init(from decoder: any Decoder) throws {}
        }

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            while !container.isAtEnd {
                if let element = try? container.decode(Element.self) {
                    elements.append(element)
                } else {
                    _ = try? container.decode(Skip.self)
                }
            }
        }
    }

    struct Change: Decodable, Sendable {
        var field: String
        var value: Value
    }

    /// The union of the value shapes of the change fields read here.
    struct Value: Decodable, Sendable {
        // field "messages"
        var metadata: Metadata?
        var statuses: [Status]?
        var messages: [InboundMessage]?
        /// Who wrote: each sender's WhatsApp profile name (CA-52's `{{contact.name}}`).
        var contacts: [Contact]?
        // field "message_template_status_update"
        var event: String?
        var messageTemplateID: FlexibleID?
        var reason: String?
        // field "template_category_update"
        var newCategory: String?
        // field "phone_number_quality_update"
        var displayPhoneNumber: String?
        var currentLimit: String?
        var quality: String?

        enum CodingKeys: String, CodingKey {
            case metadata, statuses, messages, contacts, event, reason, quality
            case messageTemplateID = "message_template_id"
            case newCategory = "new_category"
            case displayPhoneNumber = "display_phone_number"
            case currentLimit = "current_limit"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            metadata = try? container.decodeIfPresent(Metadata.self, forKey: .metadata)
            statuses = try? container.decodeIfPresent(Lossy<Status>.self, forKey: .statuses)?.elements
            messages = try? container.decodeIfPresent(Lossy<InboundMessage>.self, forKey: .messages)?.elements
            contacts = try? container.decodeIfPresent(Lossy<Contact>.self, forKey: .contacts)?.elements
            event = try? container.decodeIfPresent(String.self, forKey: .event)
            messageTemplateID = try? container.decodeIfPresent(FlexibleID.self, forKey: .messageTemplateID)
            reason = try? container.decodeIfPresent(String.self, forKey: .reason)
            newCategory = try? container.decodeIfPresent(String.self, forKey: .newCategory)
            displayPhoneNumber = try? container.decodeIfPresent(String.self, forKey: .displayPhoneNumber)
            currentLimit = try? container.decodeIfPresent(String.self, forKey: .currentLimit)
            quality = try? container.decodeIfPresent(String.self, forKey: .quality)
        }
    }

    struct Contact: Decodable, Sendable {
        struct Profile: Decodable, Sendable { var name: String? }
        var waID: String?
        var profile: Profile?

        enum CodingKeys: String, CodingKey {
            case profile
            case waID = "wa_id"
        }
    }

    struct Metadata: Decodable, Sendable {
        var phoneNumberID: String

        enum CodingKeys: String, CodingKey {
            case phoneNumberID = "phone_number_id"
        }
    }

    struct Status: Decodable, Sendable {
        var id: String
        var status: String
        var timestamp: String
        var recipientID: String?
        var conversation: Conversation?
        var errors: [ProviderError]?

        enum CodingKeys: String, CodingKey {
            case id, status, timestamp, conversation, errors
            case recipientID = "recipient_id"
        }

        var date: Date { WebhookPayload.date(timestamp) }
    }

    /// Meta's `timestamp`: seconds since 1970, as text. One that is not a whole number of seconds between 2000 and
    /// 2100 (`1e13`, `nan`) is taken as now: stored as it is, it cannot be bound to PostgreSQL (or traps converting).
    static func date(_ timestamp: String) -> Date {
        guard let seconds = Int64(timestamp), (946_684_800...4_102_444_800).contains(seconds) else { return Date() }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    struct Conversation: Decodable, Sendable {
        struct Origin: Decodable, Sendable { var type: String }
        var id: String
        var origin: Origin?
    }

    struct ProviderError: Decodable, Sendable {
        var code: Int
        var title: String?
        var message: String?
    }

    struct InboundMessage: Decodable, Sendable {
        struct Text: Decodable, Sendable { var body: String }
        var from: String
        var id: String
        var timestamp: String
        var type: String
        var text: Text?
        /// A template's quick-reply button tapped ("Stop promotions").
        var button: Button?
        var interactive: Interactive?
        /// CA-57: the ad or post the customer tapped to write (on their first message after the tap).
        var referral: Referral?

        struct Button: Decodable, Sendable { var text: String?; var payload: String? }
        struct Referral: Decodable, Sendable {
            var sourceURL: String?
            var sourceID: String?
            var sourceType: String?
            var headline: String?
            var ctwaClid: String?

            enum CodingKeys: String, CodingKey {
                case headline
                case sourceURL = "source_url"
                case sourceID = "source_id"
                case sourceType = "source_type"
                case ctwaClid = "ctwa_clid"
            }

            /// Leniently: a field of an unexpected type is left out rather than failing the customer's message.
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                sourceURL = try? container.decodeIfPresent(String.self, forKey: .sourceURL)
                sourceID = try? container.decodeIfPresent(String.self, forKey: .sourceID)
                sourceType = try? container.decodeIfPresent(String.self, forKey: .sourceType)
                headline = try? container.decodeIfPresent(String.self, forKey: .headline)
                ctwaClid = try? container.decodeIfPresent(String.self, forKey: .ctwaClid)
            }

            var domain: FirstMessage.Referral {
                FirstMessage.Referral(sourceType: sourceType, sourceID: sourceID, sourceURL: sourceURL, headline: headline, clickID: ctwaClid)
            }
        }
        struct Interactive: Decodable, Sendable {
            struct Reply: Decodable, Sendable { var id: String?; var title: String? }
            var buttonReply: Reply?
            /// CA-54: a row of a list the business sent.
            var listReply: Reply?

            enum CodingKeys: String, CodingKey {
                case buttonReply = "button_reply"
                case listReply = "list_reply"
            }
        }

        var date: Date { WebhookPayload.date(timestamp) }

        /// What the customer said: the text, or the title of the button or list row they tapped.
        var replyText: String? {
            text?.body ?? button?.text ?? button?.payload ?? interactive?.buttonReply?.title ?? interactive?.listReply?.title
        }

        /// CA-54: the id of the reply button or list row tapped, or a template quick reply's payload.
        var replyID: String? { interactive?.buttonReply?.id ?? interactive?.listReply?.id ?? button?.payload }
    }

    /// Meta sends template ids as numbers in some payloads and strings in others.
    struct FlexibleID: Decodable, Sendable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }
}
