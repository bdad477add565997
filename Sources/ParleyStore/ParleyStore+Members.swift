import Foundation
import ParleyCore
import SQLKit

/// Listing members, changing roles and removing members, keeping at least one owner.
extension ParleyStore {
    struct MemberRow: Decodable {
        let userId: String, email: String, name: String, role: String, createdAt: Int
        var member: Member? {
            Role(rawValue: role).map { Member(userId: userId, email: email, name: name, role: $0, joinedAt: Timestamp.date(createdAt)) }
        }
    }

    public func members(_ scope: TenantScope) async throws -> [Member] {
        try await engine.read { db in
            try await db.raw("""
                SELECT m.user_id, u.email, u.name, m.role, m.created_at FROM memberships m
                JOIN users u ON u.id = m.user_id WHERE m.org_id = \(bind: scope.orgID) ORDER BY u.name, u.id
                """).all(decoding: MemberRow.self, with: self.rowDecoder)
        }.compactMap(\.member)
    }

    public func member(_ scope: TenantScope, userID: String) async throws -> Member {
        let row = try await engine.read { db in
            try await db.raw("""
                SELECT m.user_id, u.email, u.name, m.role, m.created_at FROM memberships m
                JOIN users u ON u.id = m.user_id WHERE m.org_id = \(bind: scope.orgID) AND m.user_id = \(bind: userID)
                """).first(decoding: MemberRow.self, with: self.rowDecoder)
        }
        guard let member = row?.member else { throw StoreError.notFound("member") }
        return member
    }

    public func changeRole(_ scope: TenantScope, userID: String, to role: Role) async throws -> Member {
        try scope.requireManager()
        try await engine.transaction { db in
            let current = try await self.lockedRole(db, scope: scope, userID: userID)
            try self.checkCanManage(scope, target: current, granting: role)
            if current == .owner, role != .owner { try await self.requireAnotherOwner(db, scope: scope, besides: userID) }
            try await db.exec("UPDATE memberships SET role = \(bind: role.rawValue) WHERE org_id = \(bind: scope.orgID) AND user_id = \(bind: userID)")
        }
        return try await member(scope, userID: userID)
    }

    /// Removes a member; their tokens stop working for this organization at once, because every
    /// request re-checks membership.
    public func removeMember(_ scope: TenantScope, userID: String) async throws {
        if scope.userID != userID { try scope.requireManager() }
        try await engine.transaction { db in
            let current = try await self.lockedRole(db, scope: scope, userID: userID)
            if scope.userID != userID { try self.checkCanManage(scope, target: current, granting: nil) }
            if current == .owner { try await self.requireAnotherOwner(db, scope: scope, besides: userID) }
            try await db.exec("DELETE FROM memberships WHERE org_id = \(bind: scope.orgID) AND user_id = \(bind: userID)")
            try await self.releaseAssignments(db, scope: scope, userID: userID)
            struct Removal: Encodable { let userId: String }
            try await self.appendEvent(db, orgID: scope.orgID, conversationID: nil, seq: nil, type: EventType.memberRemoved,
                                       payload: Removal(userId: userID), membersOnly: true)
        }
    }

    private func lockedRole(_ db: any SQLDatabase, scope: TenantScope, userID: String) async throws -> Role {
        let lock: SQLQueryString = dialect == .postgres ? " FOR UPDATE" : ""
        let role = try await db.raw("SELECT role FROM memberships WHERE org_id = \(bind: scope.orgID) AND user_id = \(bind: userID)\(lock)")
            .first(decodingColumn: "role", as: String.self).flatMap(Role.init(rawValue:))
        guard let role else { throw StoreError.notFound("member") }
        return role
    }

    /// Admins manage agents and admins; only owners touch owners or grant ownership.
    private func checkCanManage(_ scope: TenantScope, target: Role, granting: Role?) throws(StoreError) {
        guard target <= scope.role else { throw .forbidden("only an owner can change an owner") }
        if let granting, !scope.role.canGrant(granting) {
            throw .forbidden("your role cannot grant the \(granting.rawValue) role")
        }
    }

    private func requireAnotherOwner(_ db: any SQLDatabase, scope: TenantScope, besides userID: String) async throws {
        let owners = try await db.raw("""
            SELECT COUNT(*) AS n FROM memberships WHERE org_id = \(bind: scope.orgID) AND role = 'owner' AND user_id <> \(bind: userID)
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        guard owners > 0 else { throw StoreError.conflict("an organization must keep at least one owner") }
    }
}
