import Foundation

/// CA-22: the media a header can carry (cards: image and video only, CA-25), with the formats and sizes Meta takes.
enum TemplateMediaKind: String, CaseIterable, Sendable {
    case image, video, document

    /// MB as Meta counts it.
    static let megabyte = 1_024 * 1_024

    /// CA-22: exactly the limit is still accepted.
    var maxBytes: Int {
        switch self {
        case .image: 5 * Self.megabyte
        case .video: 16 * Self.megabyte
        case .document: 10 * Self.megabyte
        }
    }

    /// CA-22
    var mimeTypes: Set<String> {
        switch self {
        case .image: ["image/jpeg", "image/png"]
        case .video: ["video/mp4"]
        case .document: ["application/pdf"]
        }
    }

    /// CA-22
    var fileExtensions: Set<String> {
        switch self {
        case .image: ["jpg", "jpeg", "png"]
        case .video: ["mp4"]
        case .document: ["pdf"]
        }
    }

    /// For messages shown to the company.
    var formats: String {
        switch self {
        case .image: "a JPG/JPEG or PNG image"
        case .video: "an MP4 video"
        case .document: "a PDF document"
        }
    }

    /// Meta's `format` of a HEADER component.
    var metaFormat: String { rawValue.uppercased() }

    /// The declared type must be one of this kind's; a file extension in the URL, when there is one, must agree.
    func accepts(_ sample: MediaSample) -> Bool {
        guard mimeTypes.contains(sample.normalizedMIMEType) else { return false }
        let fileExtension = sample.fileExtension
        return fileExtension.isEmpty || fileExtensions.contains(fileExtension)
    }
}
