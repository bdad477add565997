import Foundation
import ParleyCore
import SQLKit

/// Who a visitor says they are. A verified claim (its hash checked by the caller) makes the visitor
/// the one row of that site and external id, from any device; an unverified claim only names the
/// anonymous visitor and never reaches a verified one.
extension ParleyStore {
    public struct IdentityClaim: Sendable {
        public let externalID: String
        public let name: String?
        public let email: String?
        /// Merged into the visitor's custom attributes.
        public let attributes: [String: String]

        public init(externalID: String, name: String?, email: String?, attributes: [String: String] = [:]) {
            self.externalID = externalID
            self.name = name
            self.email = email
            self.attributes = attributes
        }
    }

    /// Applies the claim and returns the visitor the session continues as: the same one, or the
    /// verified visitor this browser turned out to be (the anonymous visitor's conversations move
    /// there with it).
    public func identify(_ visitor: VisitorScope, claim: IdentityClaim, verified: Bool) async throws -> VisitorScope {
        try await engine.transaction { db in
            let currentIsVerified = try await db.raw("SELECT verified FROM visitors WHERE id = \(bind: visitor.visitorID)")
                .first(decodingColumn: "verified", as: Bool.self) ?? false
            guard verified else {
                guard !currentIsVerified else {
                    throw StoreError.conflict("this visitor is verified; an identity without a hash cannot change it")
                }
                try await self.applyDetails(db, visitorID: visitor.visitorID, claim: claim)
                return visitor
            }
            let existing = try await db.raw("""
                SELECT id FROM visitors WHERE site_id = \(bind: visitor.siteID) AND external_id = \(bind: claim.externalID) AND verified
                """).first(decodingColumn: "id", as: String.self)
            let target: String
            switch (existing, currentIsVerified) {
            case (let existing?, false) where existing != visitor.visitorID:
                try await self.merge(db, anonymous: visitor.visitorID, into: existing)
                target = existing
            case (let existing?, _):
                target = existing  // already them, or a verified visitor switching people: no merge
            case (nil, false):
                try await db.exec("""
                    UPDATE visitors SET verified = \(bind: true), external_id = \(bind: claim.externalID) WHERE id = \(bind: visitor.visitorID)
                    """)
                target = visitor.visitorID
            case (nil, true):
                target = Identifier.make("vis")
                try await db.exec("""
                    INSERT INTO visitors (id, org_id, site_id, external_id, verified, last_seen_at, created_at)
                    VALUES (\(bind: target), \(bind: visitor.orgID), \(bind: visitor.siteID), \(bind: claim.externalID), \(bind: true),
                            \(bind: self.nowMS), \(bind: self.nowMS))
                    """)
            }
            try await self.applyDetails(db, visitorID: target, claim: claim)
            return VisitorScope(orgID: visitor.orgID, siteID: visitor.siteID, visitorID: target)
        }
    }

    /// Whether the visitor may send on their site (a site that requires identity wants a verified one).
    func requireAllowedToSend(_ db: any SQLDatabase, visitor: VisitorScope) async throws {
        struct Row: Decodable { let verified: Bool, identityRequired: Bool }
        let row = try await db.raw("""
            SELECT v.verified, s.identity_required FROM visitors v JOIN sites s ON s.id = v.site_id WHERE v.id = \(bind: visitor.visitorID)
            """).first(decoding: Row.self, with: rowDecoder)
        if let row, row.identityRequired, !row.verified {
            throw StoreError.forbidden("this site requires a verified identity before sending; call identify with a hash")
        }
    }

    /// The claim's name, email and attributes, set on the visitor it names.
    private func applyDetails(_ db: any SQLDatabase, visitorID: String, claim: IdentityClaim) async throws {
        try await mergeAttributes(db, visitorID: visitorID, attributes: claim.attributes)
        guard claim.name != nil || claim.email != nil else { return }
        try await db.exec("""
            UPDATE visitors SET name = COALESCE(\(bind: claim.name), name), email = COALESCE(\(bind: claim.email), email)
            WHERE id = \(bind: visitorID)
            """)
    }

    /// Moves an anonymous visitor's conversations and authorship to the verified visitor they proved to be.
    private func merge(_ db: any SQLDatabase, anonymous: String, into verified: String) async throws {
        try await db.exec("UPDATE conversations SET visitor_id = \(bind: verified) WHERE visitor_id = \(bind: anonymous)")
        try await db.exec("""
            UPDATE messages SET author_id = \(bind: verified) WHERE author_type = 'visitor' AND author_id = \(bind: anonymous)
            """)
        try await db.exec("UPDATE visitor_notes SET visitor_id = \(bind: verified) WHERE visitor_id = \(bind: anonymous)")
    }
}
