public import Hummingbird
import Contracts
public import Prometheus

/// The HTTP surface every service shares: `/healthz`, `/readyz`, `/metrics`, `GET /v1/me`, the dead letters, the JSON
/// error model, the body limit and JWT authentication in front of `/v1`.
public enum RouterBuilder {
    public static func build(
        components: ServiceComponents, verifier: TokenVerifier, readiness: Readiness?, metrics: PrometheusCollectorRegistry?,
        maxBodyBytes: Int, deadLetters: DeadLetterRoutes? = nil
    ) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        // Metrics outside the error model, so that each request is counted under the status it was answered with
        // (a unique violation's 409, not the 500 an unmapped PostgreSQL error would count as).
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBytes: maxBodyBytes))
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz") { _, _ -> EditedResponse<Readiness.Report> in
            guard let readiness else { return EditedResponse(response: Readiness.Report(status: "ready", database: "up", broker: "up")) }
            let report = await readiness.check()
            return EditedResponse(status: report.status == "ready" ? .ok : .serviceUnavailable, response: report)
        }
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let text = metrics?.emitToBuffer() ?? []
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
        }
        let v1 = router.group("v1").add(middleware: AuthMiddleware(verifier: verifier))
        v1.get("me") { _, context -> Me in
            let identity = try context.requireIdentity()
            return Me(userID: identity.userID.description, companyID: identity.companyID.description, role: identity.role.rawValue)
        }
        deadLetters?.add(to: v1)
        components.authenticatedRoutes(v1)
        components.publicRoutes(router)
        return router
    }

    struct Status: ResponseCodable {
        var status: String
    }

    struct Me: ResponseCodable {
        var userID: String
        var companyID: String
        var role: String

        enum CodingKeys: String, CodingKey {
            case role
            case userID = "user_id"
            case companyID = "company_id"
        }
    }
}

extension Readiness.Report: ResponseEncodable {}
