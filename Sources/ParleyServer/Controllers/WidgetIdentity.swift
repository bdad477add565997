import Crypto
import Foundation
import ParleyCore
import ParleyStore

/// `Parley.identify({ id, name, email, hash, attributes })`: `hash` is the hex HMAC-SHA256 of `id` keyed
/// with the site's identity secret, made by the site's own server, so a visitor cannot claim someone
/// else. `attributes` (strings, numbers or booleans) are shown to agents in the visitor panel.
enum WidgetIdentity {
    struct Request: Decodable {
        let id: String
        let name: String?
        let email: String?
        let hash: String?
        let attributes: [String: AttributeValue]?
    }

    /// An attribute as the page sends it; kept as text.
    struct AttributeValue: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let bool = try? value.decode(Bool.self) {
                text = String(bool)
            } else if let number = try? value.decode(Double.self) {
                text = number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
            } else {
                text = try value.decode(String.self)
            }
        }
    }

    /// Validates the claim and says whether it is verified. A hash that does not match is refused
    /// (403), as is a missing hash on a site that requires verification.
    static func check(_ request: Request, site: WidgetSite) throws -> (claim: ParleyStore.IdentityClaim, verified: Bool) {
        let claim = ParleyStore.IdentityClaim(
            externalID: try TextRule(field: "id", maxLength: Limits.name).check(request.id),
            name: try Rules.name().check(optional: request.name),
            email: try request.email.map { raw throws(ValidationError) in try Email.normalize(raw) },
            attributes: try VisitorAttributes.check((request.attributes ?? [:]).mapValues(\.text)))
        guard let hash = request.hash else {
            if site.identityRequired {
                throw Problem(.forbidden, code: "identity-required", title: "Identity verification required",
                              detail: "this site accepts only verified identities: send hash, the HMAC-SHA256 of id")
            }
            return (claim, false)
        }
        guard isValid(hash: hash, of: claim.externalID, secret: site.identitySecret) else {
            throw Problem(.forbidden, code: "identity-invalid", title: "Identity hash does not match",
                          detail: "hash must be the hex HMAC-SHA256 of id, keyed with the site's identity secret")
        }
        return (claim, true)
    }

    /// Constant-time comparison (CryptoKit's), so timing reveals nothing about the expected hash.
    static func isValid(hash: String, of id: String, secret: String) -> Bool {
        guard let code = Hex.decode(hash), code.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(id.utf8), using: SymmetricKey(data: Data(secret.utf8)))
    }
}
