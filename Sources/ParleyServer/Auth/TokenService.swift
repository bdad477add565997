import Crypto
import Foundation
import JWTKit
import ParleyCore

/// The verified identity behind an access token.
public struct Identity: Sendable, Equatable {
    public let userID: String
    public let sessionID: String
}

/// Issues and verifies access tokens (HS256 JWTs with a key id) and makes refresh tokens.
///
/// The key id is derived from the secret, so rotating `PARLEY_JWT_SECRET` (keeping the old one in
/// `PARLEY_JWT_PREVIOUS_SECRETS`) changes the `kid` and old tokens still verify until they expire.
public struct TokenService: Sendable {
    public enum Failure: Error, Equatable {
        case invalid
        case expired
    }

    private let keys: JWTKeyCollection
    private let currentKeyID: String
    private let clock: any WallClock
    let accessTTL: TimeInterval
    let refreshTTL: TimeInterval
    let visitorTTL: TimeInterval

    public init(secret: String, previousSecrets: [String], accessTTL: TimeInterval, refreshTTL: TimeInterval,
                visitorTTL: TimeInterval = 3600, clock: any WallClock) async {
        let keys = JWTKeyCollection()
        for key in [secret] + previousSecrets {
            await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256, kid: JWKIdentifier(string: Self.keyID(for: key)))
        }
        self.keys = keys
        self.currentKeyID = Self.keyID(for: secret)
        self.clock = clock
        self.accessTTL = accessTTL
        self.refreshTTL = refreshTTL
        self.visitorTTL = visitorTTL
    }

    static func keyID(for secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)).prefix(6))
    }

    public func accessToken(userID: String, sessionID: String) async throws -> String {
        let now = clock.now()
        let claims = AccessClaims(sub: .init(value: userID), sid: sessionID, iat: .init(value: now),
                                  exp: .init(value: now.addingTimeInterval(accessTTL)), iss: .init(value: AccessClaims.issuer))
        return try await keys.sign(claims, kid: JWKIdentifier(string: currentKeyID))
    }

    public func verify(_ token: String) async throws(Failure) -> Identity {
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw .invalid
        }
        guard claims.exp.value > clock.now() else { throw .expired }
        return Identity(userID: claims.sub.value, sessionID: claims.sid)
    }

    public func visitorToken(_ visitor: VisitorIdentity) async throws -> (token: String, expiresAt: Date) {
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(visitorTTL)
        let claims = VisitorClaims(sub: .init(value: visitor.visitorID), org: visitor.orgID, site: visitor.siteID,
                                   iat: .init(value: now), exp: .init(value: expiresAt), iss: .init(value: VisitorClaims.issuer))
        return (try await keys.sign(claims, kid: JWKIdentifier(string: currentKeyID)), expiresAt)
    }

    public func verifyVisitor(_ token: String) async throws(Failure) -> VisitorIdentity {
        let claims: VisitorClaims
        do {
            claims = try await keys.verify(token, as: VisitorClaims.self)
        } catch {
            throw .invalid
        }
        guard claims.exp.value > clock.now() else { throw .expired }
        return VisitorIdentity(orgID: claims.org, siteID: claims.site, visitorID: claims.sub.value)
    }

    /// A fresh opaque refresh token; only its hash is stored.
    public func newRefreshToken() -> (token: String, hash: String, expiresAt: Date) {
        let token = "rt_" + RandomToken.make()
        return (token, Self.hash(token), clock.now().addingTimeInterval(refreshTTL))
    }

    /// SHA-256 is enough for high-entropy random tokens (no dictionary to attack), and it is fast to look up.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }
}
