import Crypto
import Foundation
import ParleyCore

/// Short-lived download URLs: `/files/<org>/<attachment>?expires=<unix seconds>&signature=<hex>`,
/// the signature an HMAC-SHA256 over organization, attachment and expiry. Whoever holds the URL
/// may download until it expires, so links are handed out one at a time to those allowed to see
/// the file, and never stored.
public struct AttachmentLinks: Sendable {
    public struct Link: Encodable, Sendable {
        public let url: String
        public let expiresAt: Date
    }

    public enum Failure: Error, Equatable {
        case invalid, expired
    }

    private let key: SymmetricKey
    let ttl: TimeInterval
    let clock: any WallClock

    /// The key is derived from the token secret with its own label, so it signs nothing else.
    public init(secret: String, ttl: TimeInterval, clock: any WallClock) {
        key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data("parley attachment links v1".utf8),
                                                                 using: SymmetricKey(data: Data(secret.utf8))))
        self.ttl = ttl
        self.clock = clock
    }

    public func link(orgID: String, attachmentID: String) -> Link {
        let expires = Int(clock.now().addingTimeInterval(ttl).timeIntervalSince1970.rounded(.up))
        let signature = Hex.encode(sign(orgID: orgID, attachmentID: attachmentID, expires: expires))
        return Link(url: "/files/\(orgID)/\(attachmentID)?expires=\(expires)&signature=\(signature)",
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)))
    }

    /// Checks the signature in constant time, then the expiry.
    public func verify(orgID: String, attachmentID: String, expires: String?, signature: String?) throws(Failure) {
        guard let expires, let expiry = Int(expires), let signature, let given = Hex.decode(signature), given.count == SHA256.byteCount,
              HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Self.message(orgID, attachmentID, expiry), using: key)
        else { throw .invalid }
        guard TimeInterval(expiry) > clock.now().timeIntervalSince1970 else { throw .expired }
    }

    private func sign(orgID: String, attachmentID: String, expires: Int) -> HMAC<SHA256>.MAC {
        HMAC<SHA256>.authenticationCode(for: Self.message(orgID, attachmentID, expires), using: key)
    }

    private static func message(_ orgID: String, _ attachmentID: String, _ expires: Int) -> Data {
        Data("\(orgID)\n\(attachmentID)\n\(expires)".utf8)
    }
}
