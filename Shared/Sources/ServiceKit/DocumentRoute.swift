public import Foundation
public import Hummingbird

/// Serves a file bundled with a service (its OpenAPI document) as JSON, outside authentication.
public enum DocumentRoute {
    public static func serve(_ router: Router<AppRequestContext>, path: String, file: URL?) {
        router.get(RouterPath(path)) { _, _ -> Response in
            guard let file, let data = try? Data(contentsOf: file) else { throw APIError.notFound("openapi_document") }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
