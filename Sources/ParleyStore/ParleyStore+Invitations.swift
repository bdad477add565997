import Foundation
import ParleyCore
import SQLKit

/// Invitations: an owner or admin invites an email with a role; the holder of the token joins.
extension ParleyStore {
    struct InvitationRow: Decodable {
        let id: String, orgId: String, email: String, role: String, createdAt: Int, expiresAt: Int
        let acceptedAt: Int?, revokedAt: Int?
        var invitation: Invitation? {
            Role(rawValue: role).map {
                Invitation(id: id, email: email, role: $0, createdAt: Timestamp.date(createdAt),
                           expiresAt: Timestamp.date(expiresAt), acceptedAt: Timestamp.optionalDate(acceptedAt))
            }
        }
    }

    static let invitationColumns: SQLQueryString = "id, org_id, email, role, created_at, expires_at, accepted_at, revoked_at"

    public func createInvitation(_ scope: TenantScope, email: String, role: Role, tokenHash: String, expiresAt: Date) async throws -> Invitation {
        try scope.requireManager()
        guard scope.role.canGrant(role) else { throw StoreError.forbidden("your role cannot invite a \(role.rawValue)") }
        let invitation = Invitation(id: Identifier.make("inv"), email: email, role: role, createdAt: Timestamp.date(nowMS),
                                    expiresAt: expiresAt, acceptedAt: nil)
        try await engine.transaction { db in
            try await db.exec("""
                INSERT INTO invitations (id, org_id, email, role, token_hash, invited_by, created_at, expires_at)
                VALUES (\(bind: invitation.id), \(bind: scope.orgID), \(bind: email), \(bind: role.rawValue), \(bind: tokenHash),
                        \(bind: scope.userID), \(bind: Timestamp.milliseconds(invitation.createdAt)), \(bind: Timestamp.milliseconds(expiresAt)))
                """)
        }
        return invitation
    }

    /// Pending (not accepted, not revoked) invitations, newest first.
    public func invitations(_ scope: TenantScope) async throws -> [Invitation] {
        try scope.requireManager()
        return try await engine.read { db in
            try await db.raw("""
                SELECT \(Self.invitationColumns) FROM invitations WHERE org_id = \(bind: scope.orgID)
                AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC, id DESC
                """).all(decoding: InvitationRow.self, with: self.rowDecoder)
        }.compactMap(\.invitation)
    }

    public func revokeInvitation(_ scope: TenantScope, id: String) async throws {
        try scope.requireManager()
        try await engine.transaction { db in
            let rows = try await db.raw("""
                UPDATE invitations SET revoked_at = \(bind: self.nowMS) WHERE id = \(bind: id) AND org_id = \(bind: scope.orgID)
                AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id
                """).all()
            guard !rows.isEmpty else { throw StoreError.notFound("invitation") }
        }
    }

    /// The invitation a token belongs to while it can still be accepted.
    public func pendingInvitation(tokenHash: String) async throws -> (orgID: String, invitation: Invitation)? {
        let row = try await engine.read { db in
            try await db.raw("SELECT \(Self.invitationColumns) FROM invitations WHERE token_hash = \(bind: tokenHash)")
                .first(decoding: InvitationRow.self, with: self.rowDecoder)
        }
        guard let row, row.acceptedAt == nil, row.revokedAt == nil, row.expiresAt > nowMS, let invitation = row.invitation
        else { return nil }
        return (row.orgId, invitation)
    }

    /// Accepts: the user joins with the invited role, and the invitation is spent, in one transaction.
    public func acceptInvitation(tokenHash: String, userID: String) async throws -> MembershipSummary {
        let orgID = try await engine.transaction { db in
            try await self.spendInvitation(db, tokenHash: tokenHash, userID: userID)
        }
        return try await membershipSummary(userID: userID, orgID: orgID)
    }

    /// Creates the invitee's account with the invited email and joins them, atomically: a failure
    /// leaves neither a stray account nor a spent invitation.
    public func acceptInvitationAsNewUser(tokenHash: String, name: String, passwordHash: String) async throws -> User {
        try await engine.transaction { db in
            let email = try await db.raw("""
                SELECT email FROM invitations WHERE token_hash = \(bind: tokenHash) AND accepted_at IS NULL
                AND revoked_at IS NULL AND expires_at > \(bind: self.nowMS)
                """).first(decodingColumn: "email", as: String.self)
            guard let email else { throw StoreError.notFound("invitation") }
            let user = try await self.insertUser(db, email: email, name: name, passwordHash: passwordHash, isSuperadmin: false)
            _ = try await self.spendInvitation(db, tokenHash: tokenHash, userID: user.id)
            return user
        }
    }

    /// Marks the invitation accepted and inserts the membership; returns the organization id.
    private func spendInvitation(_ db: any SQLDatabase, tokenHash: String, userID: String) async throws -> String {
        let row = try await db.raw("""
            UPDATE invitations SET accepted_at = \(bind: nowMS) WHERE token_hash = \(bind: tokenHash)
            AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > \(bind: nowMS)
            RETURNING \(Self.invitationColumns)
            """).first(decoding: InvitationRow.self, with: rowDecoder)
        guard let row, let invitation = row.invitation else { throw StoreError.notFound("invitation") }
        try await insertMembership(db, orgID: row.orgId, userID: userID, role: invitation.role)
        return row.orgId
    }

    private func membershipSummary(userID: String, orgID: String) async throws -> MembershipSummary {
        guard let summary = try await memberships(userID: userID).first(where: { $0.organization.id == orgID }) else {
            throw StoreError.notFound("organization")
        }
        return summary
    }
}
