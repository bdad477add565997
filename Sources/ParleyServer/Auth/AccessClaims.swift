import Foundation
import JWTKit

/// The claims of a Parley access token.
///
/// Organization membership is deliberately not in the token: every request re-checks it, so a
/// removed member loses access at once instead of when the token expires.
struct AccessClaims: JWTPayload, Equatable {
    var sub: SubjectClaim
    /// The refresh-token family (session) this token was issued under; logout revokes it.
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim

    static let issuer = "parley"

    /// Expiry is checked by `TokenService` against its injectable clock, not here.
    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard iss.value == Self.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unexpected issuer")
        }
    }
}
