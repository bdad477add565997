import Foundation
import ParleyCore
import SQLKit

/// Leads: contact details left in the widget's pre-chat and offline forms, listed and exported by
/// the organization's members.
extension ParleyStore {
    public struct LeadDraft: Sendable {
        public var source: Lead.Source
        public var name: String?
        public var email: String?
        public var message: String?
        public var fields: [String: String]

        public init(source: Lead.Source, name: String?, email: String?, message: String?, fields: [String: String]) {
            self.source = source
            self.name = name
            self.email = email
            self.message = message
            self.fields = fields
        }
    }

    public struct LeadFilter: Sendable {
        public var siteID: String?
        public var source: Lead.Source?
        /// Part of the name or email, any case.
        public var query: String?
        public var createdFrom: Date?
        public var createdBefore: Date?

        public init(siteID: String? = nil, source: Lead.Source? = nil, query: String? = nil, createdFrom: Date? = nil,
                    createdBefore: Date? = nil) {
            self.siteID = siteID
            self.source = source
            self.query = query
            self.createdFrom = createdFrom
            self.createdBefore = createdBefore
        }
    }

    struct LeadRow: Decodable {
        let id: String, siteId: String, visitorId: String?, source: String, name: String?, email: String?, message: String?
        let fields: String, createdAt: Int

        var lead: Lead {
            Lead(id: id, siteId: siteId, visitorId: visitorId, source: Lead.Source(rawValue: source) ?? .offline, name: name,
                 email: email, message: message,
                 fields: (try? JSONDecoder().decode([String: String].self, from: Data(fields.utf8))) ?? [:],
                 createdAt: Timestamp.date(createdAt))
        }
    }

    static let leadColumns: SQLQueryString = "id, site_id, visitor_id, source, name, email, message, fields, created_at"

    /// Records a lead from the visitor's form. A pre-chat lead also names the visitor (a verified
    /// visitor keeps the name their site vouched for).
    public func createLead(_ visitor: VisitorScope, draft: LeadDraft) async throws -> Lead {
        let id = Identifier.make("led")
        let now = nowMS
        try await engine.transaction { db in
            try await db.exec("""
                INSERT INTO leads (id, org_id, site_id, visitor_id, source, name, email, message, fields, created_at)
                VALUES (\(bind: id), \(bind: visitor.orgID), \(bind: visitor.siteID), \(bind: visitor.visitorID),
                        \(bind: draft.source.rawValue), \(bind: draft.name), \(bind: draft.email), \(bind: draft.message),
                        \(bind: try Self.encodeJSON(draft.fields)), \(bind: now))
                """)
            if draft.source == .prechat {
                try await db.exec("""
                    UPDATE visitors SET name = COALESCE(\(bind: draft.name), name), email = COALESCE(\(bind: draft.email), email)
                    WHERE id = \(bind: visitor.visitorID) AND org_id = \(bind: visitor.orgID) AND NOT verified
                    """)
            }
        }
        return Lead(id: id, siteId: visitor.siteID, visitorId: visitor.visitorID, source: draft.source, name: draft.name,
                    email: draft.email, message: draft.message, fields: draft.fields, createdAt: Timestamp.date(now))
    }

    /// One page of the organization's leads, newest first.
    public func leads(_ scope: TenantScope, filter: LeadFilter, cursor: String?, limit: Int) async throws -> Page<Lead> {
        var conditions = leadConditions(scope, filter)
        if let after = try ActivityCursor.decode(cursor, idPrefix: "led") {
            conditions.append("(created_at, id) < (\(bind: after.lastActivityAt), \(bind: after.id))")
        }
        let rows = try await leadRows(conditions, limit: limit + 1)
        let items = rows.prefix(limit).map(\.lead)
        let next = rows.count > limit ? rows[limit - 1] : nil
        return Page(items: items, nextCursor: next.map { ActivityCursor(lastActivityAt: $0.createdAt, id: $0.id).encoded })
    }

    /// Every lead matching the filter (newest first, at most `limit`), for export.
    public func allLeads(_ scope: TenantScope, filter: LeadFilter, limit: Int) async throws -> [Lead] {
        try await leadRows(leadConditions(scope, filter), limit: limit).map(\.lead)
    }

    private func leadRows(_ conditions: [SQLQueryString], limit: Int) async throws -> [LeadRow] {
        try await engine.read { db in
            try await db.raw("""
                SELECT \(Self.leadColumns) FROM leads WHERE \(conditions.joined(separator: " AND "))
                ORDER BY created_at DESC, id DESC LIMIT \(literal: limit)
                """).all(decoding: LeadRow.self, with: self.rowDecoder)
        }
    }

    /// Deleting contact details is an admin's decision (data-protection requests).
    public func deleteLead(_ scope: TenantScope, id: String) async throws {
        try scope.requireManager()
        try await deleteTenantRow(table: "leads", scope: scope, id: id, what: "lead")
    }

    private func leadConditions(_ scope: TenantScope, _ filter: LeadFilter) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = ["org_id = \(bind: scope.orgID)"]
        if let site = filter.siteID { conditions.append("site_id = \(bind: site)") }
        if let source = filter.source { conditions.append("source = \(bind: source.rawValue)") }
        if let from = filter.createdFrom { conditions.append("created_at >= \(bind: Timestamp.milliseconds(from))") }
        if let before = filter.createdBefore { conditions.append("created_at < \(bind: Timestamp.milliseconds(before))") }
        if let query = filter.query {
            let pattern = "%" + Self.escapeLike(query.lowercased()) + "%"
            conditions.append("""
                (LOWER(COALESCE(name, '')) LIKE \(bind: pattern) ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE \(bind: pattern) ESCAPE '\\')
                """)
        }
        return conditions
    }
}
