import Foundation
import ParleyCore
import SQLKit

/// Organizations, memberships and the scopes they grant.
extension ParleyStore {
    struct OrganizationRow: Decodable {
        let id: String
        let slug: String
        let name: String
        let createdAt: Int
        var organization: Organization { Organization(id: id, slug: slug, name: name, createdAt: Timestamp.date(createdAt)) }
    }

    /// Sign-up: a new user and a new organization they own, atomically.
    public func signUp(email: String, name: String, passwordHash: String, organizationName: String) async throws -> (User, Organization) {
        try await engine.transaction { db in
            let user = try await self.insertUser(db, email: email, name: name, passwordHash: passwordHash, isSuperadmin: false)
            let org = try await self.insertOrganization(db, name: organizationName, slug: nil)
            try await self.insertMembership(db, orgID: org.id, userID: user.id, role: .owner)
            return (user, org)
        }
    }

    /// Creates an organization owned by an existing user (operators, `parley org create`).
    public func createOrganization(name: String, slug: String?, ownerID: String) async throws -> Organization {
        try await engine.transaction { db in
            let org = try await self.insertOrganization(db, name: name, slug: slug)
            try await self.insertMembership(db, orgID: org.id, userID: ownerID, role: .owner)
            return org
        }
    }

    /// Inserts an organization. An explicit slug must be free; a derived one gets a suffix until it is.
    func insertOrganization(_ db: any SQLDatabase, name: String, slug: String?) async throws -> Organization {
        let base = slug ?? Slug.make(from: name)
        for attempt in 0..<5 {
            // `base` is at most 40 characters with no trailing hyphen, so the suffixed slug stays valid.
            let candidate = attempt == 0 ? base : "\(base)-\(RandomToken.make(length: 6).lowercased())"
            let org = Organization(id: Identifier.make("org"), slug: candidate, name: name, createdAt: Timestamp.date(nowMS))
            do {
                // A savepoint keeps the surrounding transaction usable after a unique violation on PostgreSQL.
                try await db.exec("SAVEPOINT org_slug")
                try await db.exec("""
                    INSERT INTO organizations (id, slug, name, created_at)
                    VALUES (\(bind: org.id), \(bind: org.slug), \(bind: name), \(bind: Timestamp.milliseconds(org.createdAt)))
                    """)
                try await db.exec("RELEASE SAVEPOINT org_slug")
                return org
            } catch where isUniqueViolation(error) {
                try await db.exec("ROLLBACK TO SAVEPOINT org_slug")
                if slug != nil { throw StoreError.conflict("the slug '\(base)' is taken") }
            }
        }
        throw StoreError.conflict("could not find a free slug for '\(base)'")
    }

    func insertMembership(_ db: any SQLDatabase, orgID: String, userID: String, role: Role) async throws {
        do {
            try await db.exec("""
                INSERT INTO memberships (org_id, user_id, role, created_at)
                VALUES (\(bind: orgID), \(bind: userID), \(bind: role.rawValue), \(bind: nowMS))
                """)
        } catch where isUniqueViolation(error) {
            throw StoreError.conflict("already a member of this organization")
        }
    }

    /// The scope a user holds in an organization, or nil when they are not a member (or it doesn't exist).
    public func memberScope(userID: String, orgID: String) async throws -> TenantScope? {
        let role = try await engine.read { db in
            // Every realtime command runs this, so PostgreSQL keeps it prepared (`MembershipRoleStatement`).
            if let session = db as? PostgresSession { return try await session.run(MembershipRoleStatement(orgID: orgID, userID: userID)).first }
            return try await db.raw("SELECT role FROM memberships WHERE org_id = \(bind: orgID) AND user_id = \(bind: userID)")
                .first(decodingColumn: "role", as: String.self)
        }
        return role.flatMap(Role.init(rawValue:)).map { TenantScope(orgID: orgID, userID: userID, role: $0) }
    }

    /// A scope for operator commands and system jobs acting for the organization as its owner.
    /// Never reachable from a request: only the CLI and background services call it.
    public func operatorScope(orgID: String) async throws -> TenantScope? {
        let exists = try await engine.read { db in
            try await db.raw("SELECT id FROM organizations WHERE id = \(bind: orgID) OR slug = \(bind: orgID)")
                .first(decodingColumn: "id", as: String.self)
        }
        return exists.map { TenantScope(orgID: $0, userID: nil, role: .owner) }
    }

    public func organization(_ scope: TenantScope) async throws -> Organization {
        let row = try await engine.read { db in
            try await db.raw("SELECT id, slug, name, created_at FROM organizations WHERE id = \(bind: scope.orgID)")
                .first(decoding: OrganizationRow.self, with: self.rowDecoder)
        }
        guard let row else { throw StoreError.notFound("organization") }
        return row.organization
    }

    public func renameOrganization(_ scope: TenantScope, name: String) async throws -> Organization {
        try scope.requireManager()
        try await engine.transaction { db in
            try await db.exec("UPDATE organizations SET name = \(bind: name) WHERE id = \(bind: scope.orgID)")
        }
        return try await organization(scope)
    }

    /// Every organization the user belongs to, with their role there.
    public func memberships(userID: String) async throws -> [MembershipSummary] {
        struct Row: Decodable {
            let id: String, slug: String, name: String, createdAt: Int, role: String
        }
        let rows = try await engine.read { db in
            try await db.raw("""
                SELECT o.id, o.slug, o.name, o.created_at, m.role FROM memberships m
                JOIN organizations o ON o.id = m.org_id WHERE m.user_id = \(bind: userID) ORDER BY o.name, o.id
                """).all(decoding: Row.self, with: self.rowDecoder)
        }
        return rows.compactMap { row in
            Role(rawValue: row.role).map {
                MembershipSummary(organization: Organization(id: row.id, slug: row.slug, name: row.name,
                                                             createdAt: Timestamp.date(row.createdAt)), role: $0)
            }
        }
    }
}
