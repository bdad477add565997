import Foundation
import ParleyCore
import SQLKit

/// Conversations: the inbox list, one conversation, updates and the atomic claim.
extension ParleyStore {
    public struct ConversationChanges: Sendable, Equatable {
        public var status: ConversationStatus?
        public var priority: Priority?
        public var labels: [String]?
        /// `.some(nil)` unassigns; nil leaves the assignee alone.
        public var assigneeID: String??

        public init(status: ConversationStatus? = nil, priority: Priority? = nil, labels: [String]? = nil,
                    assigneeID: String?? = nil) {
            self.status = status
            self.priority = priority
            self.labels = labels
            self.assigneeID = assigneeID
        }
    }

    /// The event payload for conversation changes (no per-reader fields). `assignee_id` is always
    /// present, `null` when unassigned, so a client can apply the state without guessing.
    struct ConversationState: Encodable {
        let id: String, status: ConversationStatus, priority: Priority, assigneeId: String?, labels: [String], seq: Int

        enum CodingKeys: String, CodingKey { case id, status, priority, assigneeId, labels, seq }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            try container.encode(priority, forKey: .priority)
            try container.encode(assigneeId, forKey: .assigneeId)
            try container.encode(labels, forKey: .labels)
            try container.encode(seq, forKey: .seq)
        }
    }

    /// One page of the inbox, newest activity first.
    public func conversations(_ scope: TenantScope, filter: ConversationFilter, cursor: String?, limit: Int) async throws -> Page<Conversation> {
        let after = try ActivityCursor.decode(cursor)
        return try await conversationPage(scope, conditions: filterConditions(scope, filter), after: after, limit: limit)
    }

    /// How many conversations each inbox view (mine, unassigned, all) holds under the filter; its
    /// assignee is ignored, since the views are the assignee choices.
    public func inboxCounts(_ scope: TenantScope, filter: ConversationFilter) async throws -> InboxCounts {
        struct Row: Decodable { let total: Int, mine: Int?, unassigned: Int? }
        var filter = filter
        filter.assignee = nil
        let conditions = filterConditions(scope, filter)
        let row = try await engine.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS total, SUM(CASE WHEN c.assignee_id = \(bind: scope.userID ?? "") THEN 1 ELSE 0 END) AS mine,
                    SUM(CASE WHEN c.assignee_id IS NULL THEN 1 ELSE 0 END) AS unassigned
                FROM conversations c WHERE \(conditions.joined(separator: " AND "))
                """).first(decoding: Row.self, with: self.rowDecoder)
        }
        return InboxCounts(mine: row?.mine ?? 0, unassigned: row?.unassigned ?? 0, all: row?.total ?? 0)
    }

    private func filterConditions(_ scope: TenantScope, _ filter: ConversationFilter) -> [SQLQueryString] {
        var conditions: [SQLQueryString] = ["c.org_id = \(bind: scope.orgID)"]
        if let status = filter.status { conditions.append("c.status = \(bind: status.rawValue)") }
        if let priority = filter.priority { conditions.append("c.priority = \(bind: priority.rawValue)") }
        if let site = filter.siteID { conditions.append("c.site_id = \(bind: site)") }
        switch filter.assignee {
        case .me: conditions.append("c.assignee_id = \(bind: scope.userID ?? "")")
        case .unassigned: conditions.append("c.assignee_id IS NULL")
        case .user(let id): conditions.append("c.assignee_id = \(bind: id)")
        case nil: break
        }
        if let label = filter.label {
            conditions.append("EXISTS (SELECT 1 FROM conversation_labels l WHERE l.conversation_id = c.id AND l.label = \(bind: label))")
        }
        return conditions
    }

    public func conversation(_ scope: TenantScope, id: String) async throws -> Conversation {
        let found = try await engine.read { db in
            try await self.loadConversations(db, scope: scope, conditions: ["c.org_id = \(bind: scope.orgID)", "c.id = \(bind: id)"],
                                             after: nil, limit: 1)
        }
        guard let conversation = found.first else { throw StoreError.notFound("conversation") }
        return conversation
    }

    /// Pages conversations matching `conditions` in (last activity, id) descending order.
    func conversationPage(_ scope: TenantScope, conditions: [SQLQueryString], after: ActivityCursor?, limit: Int) async throws -> Page<Conversation> {
        let rows = try await engine.read { db in
            try await self.loadConversations(db, scope: scope, conditions: conditions, after: after, limit: limit + 1)
        }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map {
            ActivityCursor(lastActivityAt: Timestamp.milliseconds($0.lastActivityAt), id: $0.id).encoded
        } : nil
        return Page(items: items, nextCursor: next)
    }

    /// Creates a visitor and their conversation on a site, optionally with the visitor's first message.
    /// (The widget API builds on this; operators and tests use it directly.)
    public func startConversation(_ scope: TenantScope, siteID: String, visitorName: String?, visitorEmail: String?,
                                  firstMessage: String?) async throws -> Conversation {
        let conversationID = Identifier.make("cnv")
        try await engine.transaction { db in
            let site = try await db.raw("SELECT id FROM sites WHERE org_id = \(bind: scope.orgID) AND id = \(bind: siteID)").first()
            guard site != nil else { throw StoreError.notFound("site") }
            let visitorID = Identifier.make("vis")
            try await db.exec("""
                INSERT INTO visitors (id, org_id, site_id, name, email, created_at)
                VALUES (\(bind: visitorID), \(bind: scope.orgID), \(bind: siteID), \(bind: visitorName), \(bind: visitorEmail),
                        \(bind: self.nowMS))
                """)
            try await self.insertConversation(db, id: conversationID, orgID: scope.orgID, siteID: siteID, visitorID: visitorID)
            if let firstMessage {
                _ = try await self.insertMessage(db, scope: scope, conversationID: conversationID,
                                                 draft: MessageDraft(body: firstMessage, isPrivate: false, clientID: nil),
                                                 author: (.visitor, visitorID))
            }
        }
        return try await conversation(scope, id: conversationID)
    }

    /// Inserts an open conversation at sequence 1 and announces it (`conversation.created`).
    func insertConversation(_ db: any SQLDatabase, id: String, orgID: String, siteID: String, visitorID: String) async throws {
        let now = nowMS
        try await db.exec("""
            INSERT INTO conversations (id, org_id, site_id, visitor_id, status, priority, seq, last_activity_at, created_at)
            VALUES (\(bind: id), \(bind: orgID), \(bind: siteID), \(bind: visitorID), 'open', 'none', 1, \(bind: now), \(bind: now))
            """)
        try await appendEvent(db, orgID: orgID, conversationID: id, seq: 1, type: EventType.conversationCreated, payload: ["id": id])
    }

    public func updateConversation(_ scope: TenantScope, id: String, changes: ConversationChanges) async throws -> Conversation {
        try await engine.transaction { db in
            if case .some(.some(let assignee)) = changes.assigneeID {
                let member = try await db.raw("SELECT user_id FROM memberships WHERE org_id = \(bind: scope.orgID) AND user_id = \(bind: assignee)").first()
                guard member != nil else {
                    throw StoreError.invalid(ValidationError(field: "assignee_id", reason: "is not a member of this organization"))
                }
            }
            var sets: [SQLQueryString] = ["seq = seq + 1"]
            if let status = changes.status { sets.append("status = \(bind: status.rawValue)") }
            if let priority = changes.priority { sets.append("priority = \(bind: priority.rawValue)") }
            if let assignee = changes.assigneeID { sets.append("assignee_id = \(bind: assignee)") }
            let seq = try await db.raw("""
                UPDATE conversations SET \(sets.joined(separator: ", ")) WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) RETURNING seq
                """).first(decodingColumn: "seq", as: Int.self)
            guard let seq else { throw StoreError.notFound("conversation") }
            if let labels = changes.labels {
                try await db.exec("DELETE FROM conversation_labels WHERE conversation_id = \(bind: id)")
                for label in labels {
                    try await db.exec("INSERT INTO conversation_labels (org_id, conversation_id, label) VALUES (\(bind: scope.orgID), \(bind: id), \(bind: label))")
                }
            }
            try await self.appendConversationUpdated(db, scope: scope, id: id, seq: seq)
        }
        return try await conversation(scope, id: id)
    }

    /// Assigns the conversation to the caller if nobody has it. Of many concurrent claims exactly one
    /// wins: the conditional UPDATE is the arbiter, on both engines.
    public func claim(_ scope: TenantScope, id: String) async throws -> Conversation {
        guard let userID = scope.userID else { throw StoreError.forbidden("only a member can claim a conversation") }
        try await engine.transaction { db in
            let seq = try await db.raw("""
                UPDATE conversations SET assignee_id = \(bind: userID), seq = seq + 1
                WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) AND assignee_id IS NULL RETURNING seq
                """).first(decodingColumn: "seq", as: Int.self)
            guard let seq else {
                let holder = try await db.raw("SELECT assignee_id FROM conversations WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id)")
                    .first(decodingColumn: "assignee_id", as: String?.self)
                guard let holder else { throw StoreError.notFound("conversation") }
                throw StoreError.conflict("the conversation is already assigned to \(holder ?? "someone")")
            }
            try await self.appendConversationUpdated(db, scope: scope, id: id, seq: seq)
        }
        return try await conversation(scope, id: id)
    }

    /// Unassigns every conversation of `userID` (a member leaving), each announced with
    /// `conversation.updated` so open inboxes drop the assignee. Rows are locked in id order, the
    /// order message writers use.
    func releaseAssignments(_ db: any SQLDatabase, scope: TenantScope, userID: String) async throws {
        let lock: SQLQueryString = dialect == .postgres ? " FOR UPDATE" : ""
        let ids = try await db.raw("""
            SELECT id FROM conversations WHERE org_id = \(bind: scope.orgID) AND assignee_id = \(bind: userID) ORDER BY id\(lock)
            """).all(decodingColumn: "id", as: String.self)
        for id in ids {
            let seq = try await db.raw("""
                UPDATE conversations SET assignee_id = NULL, seq = seq + 1 WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id) RETURNING seq
                """).first(decodingColumn: "seq", as: Int.self) ?? 0
            try await appendConversationUpdated(db, scope: scope, id: id, seq: seq)
        }
    }

    private func appendConversationUpdated(_ db: any SQLDatabase, scope: TenantScope, id: String, seq: Int) async throws {
        struct Row: Decodable { let status: String, priority: String, assigneeId: String? }
        guard let row = try await db.raw("SELECT status, priority, assignee_id FROM conversations WHERE id = \(bind: id)")
            .first(decoding: Row.self, with: rowDecoder) else { return }
        let labels = try await db.raw("SELECT label FROM conversation_labels WHERE conversation_id = \(bind: id) ORDER BY label")
            .all(decodingColumn: "label", as: String.self)
        let state = ConversationState(id: id, status: ConversationStatus(rawValue: row.status) ?? .open,
                                      priority: Priority(rawValue: row.priority) ?? .none, assigneeId: row.assigneeId,
                                      labels: labels, seq: seq)
        try await appendEvent(db, orgID: scope.orgID, conversationID: id, seq: seq, type: EventType.conversationUpdated, payload: state)
    }
}
