import Foundation

extension TemplateValidator {
    static let maxHeaderTextLength = 60

    /// CA-20, CA-21, CA-22
    static func checkHeader(_ header: TemplateHeader, _ report: inout Report) {
        switch header.type {
        case .unknown(let type):  // CA-20
            report.add(
                "template.header.type.invalid", "header.type",
                "A header is text, image, video or document (CA-20); '\(type)' is none of them.")
        case .text:
            if header.media != nil {  // CA-20
                report.add("template.header.combined", "header", "A text header carries no media: header types cannot be combined (CA-20).")
            }
            checkHeaderText(header.text ?? "", samples: header.samples, &report)
        case .image, .video, .document:
            if let text = header.text, !isBlank(text) {  // CA-20
                report.add(
                    "template.header.combined", "header",
                    "A \(header.type.rawValue) header carries no text: header types cannot be combined (CA-20).")
            }
            if let kind = header.type.media {
                checkMedia(header.media, kind: kind, codePrefix: "template.header.media", field: "header.media", &report)
            }
        }
    }

    /// CA-21: at most 60 characters and one variable (used any number of times), which needs its sample.
    static func checkHeaderText(_ text: String, samples: [String], _ report: inout Report) {
        guard !isBlank(text) else {
            report.add("template.header.text.missing", "header.text", "A text header needs its text (CA-21).")
            return
        }
        if text.count > maxHeaderTextLength {  // CA-21
            report.add(
                "template.header.text.too_long", "header.text",
                "A text header has at most 60 characters (CA-21); this one has \(text.count).")
        }
        let variables = Set(TemplateVariables.placeholders(in: text))
        if variables.count > 1 {  // CA-21
            report.add(
                "template.header.too_many_variables", "header.text",
                "A text header takes only 1 variable (CA-21); this one has \(variables.count).")
        }
        checkVariables(of: text, samples: samples, field: "header.text", samplesField: "header.samples", &report)
        checkLinks(in: text, field: "header.text", &report)
    }

    /// CA-22 (headers) and CA-25 (cards): a reachable sample, of the kind's formats, within its size.
    static func checkMedia(_ sample: MediaSample?, kind: TemplateMediaKind, codePrefix: String, field: String, _ report: inout Report) {
        guard let sample, TemplateURL.isAbsoluteHTTP(sample.url) else {
            report.add("\(codePrefix).missing", field, "A sample of \(kind.formats) is needed, as an http(s) URL (CA-22).")
            return
        }
        if !kind.accepts(sample) {  // CA-22
            report.add(
                "\(codePrefix).format", field,
                "The media must be \(kind.formats) (CA-22); this one is '\(sample.mimeType)' at \(sample.url).")
        }
        if sample.sizeBytes > kind.maxBytes {  // CA-22
            report.add(
                "\(codePrefix).too_large", field,
                "\(kind.formats.prefix(1).uppercased() + kind.formats.dropFirst()) has at most "
                    + "\(kind.maxBytes / TemplateMediaKind.megabyte) MB (\(kind.maxBytes) bytes, CA-22); this one has \(sample.sizeBytes) bytes.")
        }
    }
}
