import Contracts
import Foundation
public import Hummingbird

/// Request bodies are decoded with the platform's JSON dialect and turn decoding failures into 400s that
/// name the field, instead of Hummingbird's generic message.
public struct APIRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        if NULGuard.containsNUL(buffer.readableBytesView) {
            throw APIError.badRequest("request.nul_character", "Text in the request may not contain the NUL character (\\u0000).")
        }
        do {
            return try JSONCoding.decoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
    }
}

public struct APIResponseEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONCoding.encoder().encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension APIError {
    /// A 400 naming the JSON path of the field that could not be read.
    public static func decoding(_ error: DecodingError) -> APIError {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String? {
            let keys = (codingPath + (last.map { [$0] } ?? [])).map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            guard !keys.isEmpty else { return nil }
            return keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            return .badRequest("request.field_missing", "The field \(field ?? key.stringValue) is required.", field: field)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return .badRequest("request.field_invalid", "The field \(field ?? "body") has the wrong type.", field: field)
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field == nil { return .badRequest("request.invalid_json", "The request body is not valid JSON.") }
            return .badRequest("request.field_invalid", "The field \(field!) is invalid: \(context.debugDescription)", field: field)
        @unknown default:
            return .badRequest("request.invalid_json", "The request body could not be read.")
        }
    }
}

/// PostgreSQL cannot store U+0000 in text or jsonb, so a request carrying it is refused at the edge (400) instead of
/// failing at the database (500).
enum NULGuard {
    /// Whether the JSON text has a `\u0000` escape (a raw NUL byte is invalid JSON and fails decoding anyway).
    static func containsNUL(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var window: [UInt8] = []
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else { continue }
            // An escape: the next byte says which; `\\` consumes its second backslash, so parity is kept.
            guard let kind = iterator.next() else { return false }
            guard kind == UInt8(ascii: "u") else { continue }
            window.removeAll(keepingCapacity: true)
            for _ in 0..<4 { if let digit = iterator.next() { window.append(digit) } }
            if window == Array("0000".utf8) { return true }
        }
        return false
    }
}
