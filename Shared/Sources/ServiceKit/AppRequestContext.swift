public import Contracts
public import Hummingbird
import Logging

/// The request context of every service: the caller's identity once authenticated, and the body size limit.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware`; nil on public routes (`/healthz`, provider webhooks).
    public var identity: Identity?
    /// Largest request body any route decodes (413 beyond). Set from configuration by `BodyLimitMiddleware`.
    public var maxUploadSize: Int = 1 << 20

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }
    public var responseEncoder: APIResponseEncoder { APIResponseEncoder() }
}

extension AppRequestContext {
    /// The authenticated caller; 401 on a route that was not behind `AuthMiddleware`.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw APIError.unauthenticated }
        return identity
    }

    /// D-27: 403 naming the permission unless the caller's role is one of `roles`.
    @discardableResult
    public func require(_ permission: String, roles: Set<Role>) throws -> Identity {
        let identity = try requireIdentity()
        guard roles.contains(identity.role) else { throw APIError.accessDenied(identity.role, lacks: permission) }
        return identity
    }

    /// D-28: 403 unless `company` is the caller's own company (for routes that name a company in the path).
    @discardableResult
    public func requireCompany(_ company: CompanyID) throws -> Identity {
        let identity = try requireIdentity()
        guard identity.companyID == company else {
            throw APIError(.forbidden, code: "auth.company_mismatch", message: "Access Denied: your token belongs to another company.")
        }
        return identity
    }

    /// A path parameter that must be a UUID; 400 naming the parameter otherwise.
    public func id<Kind>(_ name: String, as type: TypedID<Kind>.Type = TypedID<Kind>.self) throws -> TypedID<Kind> {
        guard let text = parameters.get(name), let id = TypedID<Kind>(text) else {
            throw APIError.badRequest("request.invalid_id", "The \(name) in the path must be a UUID.", field: name)
        }
        return id
    }
}
