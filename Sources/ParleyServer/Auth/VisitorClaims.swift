import Foundation
import JWTKit

/// The claims of a visitor token: one visitor of one site. Its own issuer keeps it from ever
/// passing as a member's access token (and the other way round).
struct VisitorClaims: IssuedClaims, Equatable {
    var sub: SubjectClaim
    var org: String
    var site: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim

    static let issuer = "parley-visitor"
}

/// Who a verified visitor token names; the store still checks that the visitor exists.
public struct VisitorIdentity: Sendable, Equatable {
    public let orgID: String
    public let siteID: String
    public let visitorID: String

    public init(orgID: String, siteID: String, visitorID: String) {
        self.orgID = orgID
        self.siteID = siteID
        self.visitorID = visitorID
    }
}
