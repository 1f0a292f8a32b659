import Contracts
public import Foundation
import JWTKit

/// Verifies HS256 bearer tokens (shared secret from configuration) and reads the `sub`, `company` and `role`
/// claims; `exp` is required and enforced, and `nbf` and `iat` when present, each with `clockSkew` of leeway
/// between our clock and the issuer's.
public struct TokenVerifier: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var company: String
        var role: String
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
        var iat: IssuedAtClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            let now = Date()
            try exp.verifyNotExpired(currentDate: now.addingTimeInterval(-TokenVerifier.clockSkew))
            try nbf?.verifyNotBefore(currentDate: now.addingTimeInterval(TokenVerifier.clockSkew))
            // A token issued in the future was not issued by a clock we trust.
            if let iat, iat.value > now.addingTimeInterval(TokenVerifier.clockSkew) {
                throw JWTError.claimVerificationFailure(failedClaim: iat, reason: "issued in the future")
            }
        }
    }

    /// How far the issuer's clock may be from ours.
    static let clockSkew: TimeInterval = 60

    /// HS256 keys shorter than the hash output are weak; configuration refuses them.
    public static let minimumSecretBytes = 32

    private let keys: JWTKeyCollection

    public init(secret: String) async {
        precondition(secret.utf8.count >= Self.minimumSecretBytes, "the JWT secret must be at least 32 bytes")
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// The identity in `token`, or nil when the signature, expiry or any claim is not right.
    public func identity(from token: String) async -> Identity? {
        guard let claims = try? await keys.verify(token, as: Claims.self),
            let userID = UserID(claims.sub.value), let companyID = CompanyID(claims.company), let role = Role(rawValue: claims.role)
        else { return nil }
        return Identity(userID: userID, companyID: companyID, role: role, issuedAt: claims.iat?.value)
    }

    /// Issues a token; used by tests, the sandbox and the load generator (production tokens come from the IdP).
    public func token(for identity: Identity, expiresIn seconds: TimeInterval = 3_600, notBefore: Date? = nil, issuedAt: Date? = nil) async throws -> String {
        let claims = Claims(
            sub: SubjectClaim(value: identity.userID.description), company: identity.companyID.description, role: identity.role.rawValue,
            exp: ExpirationClaim(value: Date().addingTimeInterval(seconds)), nbf: notBefore.map(NotBeforeClaim.init(value:)),
            iat: issuedAt.map(IssuedAtClaim.init(value:)))
        return try await keys.sign(claims)
    }
}
