import Foundation
import ParleyCore
import SQLKit

/// The visitor panel: a visitor's details, presence, conversations and the team's notes; and the
/// details the widget reports (browser hints, custom attributes).
extension ParleyStore {
    private struct VisitorRow: Decodable {
        let id: String, siteId: String, name: String?, email: String?, externalId: String?, verified: Bool
        let attributes: String?, locale: String?, timezone: String?, userAgent: String?, createdAt: Int, lastSeenAt: Int?

        var details: VisitorDetails {
            VisitorDetails(id: id, siteId: siteId, name: name, email: email, externalId: externalId, verified: verified,
                           attributes: ParleyStore.decodeAttributes(attributes), locale: locale, timezone: timezone,
                           userAgent: userAgent, createdAt: Timestamp.date(createdAt), lastSeenAt: Timestamp.optionalDate(lastSeenAt))
        }
    }

    private struct NoteRow: Decodable {
        let id: String, body: String, authorId: String?, authorName: String?, createdAt: Int

        var note: VisitorNote { VisitorNote(id: id, body: body, authorId: authorId, authorName: authorName, createdAt: Timestamp.date(createdAt)) }
    }

    public static let notesShown = 200

    /// Everything the panel shows; not-found for a visitor of another organization.
    public func visitorProfile(_ scope: TenantScope, id: String, freshAfter: Date) async throws -> VisitorProfile {
        try await engine.read { db in
            guard let row = try await db.raw("""
                SELECT id, site_id, name, email, external_id, verified, attributes, locale, timezone, user_agent, created_at, last_seen_at
                FROM visitors WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id)
                """).first(decoding: VisitorRow.self, with: self.rowDecoder)
            else { throw StoreError.notFound("visitor") }
            let pages = try await self.freshVisitorPages(db, orgID: scope.orgID, visitorID: id, freshAfter: freshAfter)
            let conversations = try await self.loadConversations(
                db, scope: scope, conditions: ["c.org_id = \(bind: scope.orgID)", "c.visitor_id = \(bind: id)"], after: nil,
                limit: VisitorProfile.recentConversations)
            let notes = try await self.noteRows(db, where: "n.org_id = \(bind: scope.orgID) AND n.visitor_id = \(bind: id)",
                                                limit: Self.notesShown)
            return VisitorProfile(visitor: row.details, online: !pages.isEmpty, page: pages.first ?? nil, conversations: conversations,
                                  notes: notes.map(\.note))
        }
    }

    public func addVisitorNote(_ scope: TenantScope, visitorID: String, body: String) async throws -> VisitorNote {
        let id = Identifier.make("vnt")
        return try await engine.transaction { db in
            let exists = try await db.raw("SELECT id FROM visitors WHERE org_id = \(bind: scope.orgID) AND id = \(bind: visitorID)").first()
            guard exists != nil else { throw StoreError.notFound("visitor") }
            try await db.exec("""
                INSERT INTO visitor_notes (id, org_id, visitor_id, author_id, body, created_at)
                VALUES (\(bind: id), \(bind: scope.orgID), \(bind: visitorID), \(bind: scope.userID), \(bind: body), \(bind: self.nowMS))
                """)
            guard let row = try await self.noteRows(db, where: "n.id = \(bind: id)", limit: 1).first else {
                throw StoreError.notFound("note")
            }
            return row.note
        }
    }

    /// Its author may delete a note, and so may owners and admins.
    public func deleteVisitorNote(_ scope: TenantScope, visitorID: String, noteID: String) async throws {
        try await engine.transaction { db in
            let notes = try await self.noteRows(
                db, where: "n.org_id = \(bind: scope.orgID) AND n.visitor_id = \(bind: visitorID) AND n.id = \(bind: noteID)", limit: 1)
            guard let note = notes.first else { throw StoreError.notFound("note") }
            let isAuthor = note.authorId != nil && note.authorId == scope.userID
            guard isAuthor || scope.role.canManageOrganization else {
                throw StoreError.forbidden("only its author or an owner or admin may delete a note")
            }
            try await db.exec("DELETE FROM visitor_notes WHERE id = \(bind: noteID)")
        }
    }

    private func noteRows(_ db: any SQLDatabase, where condition: SQLQueryString, limit: Int) async throws -> [NoteRow] {
        try await db.raw("""
            SELECT n.id, n.body, n.author_id, u.name AS author_name, n.created_at
            FROM visitor_notes n LEFT JOIN users u ON u.id = n.author_id
            WHERE \(condition) ORDER BY n.created_at DESC, n.id DESC LIMIT \(literal: limit)
            """).all(decoding: NoteRow.self, with: rowDecoder)
    }

    /// Merges `attributes` into the visitor's (a key given again replaces its value).
    func mergeAttributes(_ db: any SQLDatabase, visitorID: String, attributes: [String: String]) async throws {
        guard !attributes.isEmpty else { return }
        let stored = try await db.raw("SELECT attributes FROM visitors WHERE id = \(bind: visitorID)")
            .first(decodingColumn: "attributes", as: String?.self) ?? nil
        let merged = Self.decodeAttributes(stored).merging(attributes) { _, new in new }
        guard merged.count <= VisitorAttributes.maxCount else {
            throw StoreError.invalid(ValidationError(field: "attributes", reason: "would give the visitor more than \(VisitorAttributes.maxCount) attributes",
                                                     limit: VisitorAttributes.maxCount))
        }
        try await db.exec("UPDATE visitors SET attributes = \(bind: try Self.encodeJSON(merged)) WHERE id = \(bind: visitorID)")
    }

    static func decodeAttributes(_ stored: String?) -> [String: String] {
        stored.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
    }
}
