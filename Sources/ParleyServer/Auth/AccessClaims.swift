import Foundation
import JWTKit

/// The claims of a Parley access token.
///
/// Organization membership is deliberately not in the token: every request re-checks it, so a
/// removed member loses access at once instead of when the token expires.
struct AccessClaims: IssuedClaims, Equatable {
    var sub: SubjectClaim
    /// The refresh-token family (session) this token was issued under; logout revokes it.
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim

    static let issuer = "parley"
}

/// Parley's token kinds differ by issuer; verifying one checks that it is of the expected kind, so
/// a token of one kind never passes as another. Expiry is checked by `TokenService` against its
/// injectable clock, not here.
protocol IssuedClaims: JWTPayload {
    static var issuer: String { get }
    var iss: IssuerClaim { get }
}

extension IssuedClaims {
    func verify(using algorithm: some JWTAlgorithm) async throws {
        guard iss.value == Self.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unexpected issuer")
        }
    }
}
