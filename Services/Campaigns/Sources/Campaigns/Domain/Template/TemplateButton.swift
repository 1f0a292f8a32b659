import Foundation

/// One button of a template or of a carousel card (CA-23, CA-24, CA-25).
///
/// JSON: `{"type":"quick_reply","text":…}`, `{"type":"url","text":…,"url":…,"sample":…}`,
/// `{"type":"phone_number","text":…,"phone_number":…}`, `{"type":"copy_code","code":…}`. Another type decodes as
/// `.unknown` so that it is reported as `template.button.type.invalid` instead of failing the request.
enum TemplateButton: Codable, Equatable, Sendable {
    case quickReply(text: String)
    /// `sample` is the value of the URL's variable, when it has one (CA-19).
    case url(text: String, url: String, sample: String? = nil)
    case phoneNumber(text: String, phoneNumber: String)
    /// CA-24: the fixed "Copy Code" button of a coupon template; its label is not ours to choose.
    case copyCode(code: String)
    case unknown(type: String)

    enum CodingKeys: String, CodingKey {
        case type, text, url, sample, code
        case phoneNumber = "phone_number"
    }

    /// The `type` our API spells.
    var type: String {
        switch self {
        case .quickReply: "quick_reply"
        case .url: "url"
        case .phoneNumber: "phone_number"
        case .copyCode: "copy_code"
        case .unknown(let type): type
        }
    }

    /// CA-23, D-10: URL, phone and copy-code buttons are calls to action; quick replies are not.
    var isCallToAction: Bool {
        switch self {
        case .url, .phoneNumber, .copyCode: true
        case .quickReply, .unknown: false
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func string(_ key: CodingKeys) throws -> String { try container.decodeIfPresent(String.self, forKey: key) ?? "" }
        let type = try string(.type)
        switch type {
        case "quick_reply": self = .quickReply(text: try string(.text))
        case "url":
            self = .url(text: try string(.text), url: try string(.url), sample: try container.decodeIfPresent(String.self, forKey: .sample))
        case "phone_number": self = .phoneNumber(text: try string(.text), phoneNumber: try string(.phoneNumber))
        case "copy_code": self = .copyCode(code: try string(.code))
        default: self = .unknown(type: type)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .quickReply(let text):
            try container.encode(text, forKey: .text)
        case .url(let text, let url, let sample):
            try container.encode(text, forKey: .text)
            try container.encode(url, forKey: .url)
            try container.encodeIfPresent(sample, forKey: .sample)
        case .phoneNumber(let text, let phoneNumber):
            try container.encode(text, forKey: .text)
            try container.encode(phoneNumber, forKey: .phoneNumber)
        case .copyCode(let code):
            try container.encode(code, forKey: .code)
        case .unknown:
            break
        }
    }
}
