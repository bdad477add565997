import Foundation
import ParleyCore
import SQLKit

/// The one query that assembles conversation rows: visitor, last message and the caller's unread
/// count come from joins and a bounded subquery, and labels from one batched query per page —
/// never one query per row.
extension ParleyStore {
    /// Read column by column: SQLKit's generic row decoder converted each of the 25 column names
    /// to snake case for every row, which was about 40% of an inbox page's server time.
    private struct ConversationRow {
        let id: String, siteId: String, status: String, priority: String, assigneeId: String?, seq: Int
        let lastActivityAt: Int, createdAt: Int
        let visitorId: String, visitorName: String?, visitorEmail: String?
        let mId: String?, mSeq: Int?, mAuthorType: String?, mAuthorId: String?, mBody: String?, mIsPrivate: Bool?
        let mClientId: String?, mCreatedAt: Int?, mEditedAt: Int?, mDeletedAt: Int?, mAttachment: String?
        let unreadCount: Int
        let visitorReadSeq: Int?
        let ratingScore: Int?, ratingComment: String?, ratingCreatedAt: Int?

        init(row: any SQLRow) throws {
            func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
            func optionalText(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
            func number(_ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }
            func optionalNumber(_ column: String) throws -> Int? { try row.decode(column: column, as: Int?.self) }
            id = try text("id")
            siteId = try text("site_id")
            status = try text("status")
            priority = try text("priority")
            assigneeId = try optionalText("assignee_id")
            seq = try number("seq")
            lastActivityAt = try number("last_activity_at")
            createdAt = try number("created_at")
            visitorId = try text("visitor_id")
            visitorName = try optionalText("visitor_name")
            visitorEmail = try optionalText("visitor_email")
            mId = try optionalText("m_id")
            mSeq = try optionalNumber("m_seq")
            mAuthorType = try optionalText("m_author_type")
            mAuthorId = try optionalText("m_author_id")
            mBody = try optionalText("m_body")
            mIsPrivate = try row.decode(column: "m_is_private", as: Bool?.self)
            mClientId = try optionalText("m_client_id")
            mCreatedAt = try optionalNumber("m_created_at")
            mEditedAt = try optionalNumber("m_edited_at")
            mDeletedAt = try optionalNumber("m_deleted_at")
            mAttachment = try optionalText("m_attachment")
            unreadCount = try number("unread_count")
            visitorReadSeq = try optionalNumber("visitor_read_seq")
            ratingScore = try optionalNumber("rating_score")
            ratingComment = try optionalText("rating_comment")
            ratingCreatedAt = try optionalNumber("rating_created_at")
        }

        var rating: Rating? {
            guard let ratingScore, let ratingCreatedAt else { return nil }
            return Rating(score: ratingScore, comment: ratingComment, createdAt: Timestamp.date(ratingCreatedAt))
        }

        var lastMessage: Message? {
            guard let mId, let mSeq, let mAuthorType, let mBody, let mCreatedAt else { return nil }
            return Message(id: mId, conversationId: id, seq: mSeq, authorType: AuthorType(rawValue: mAuthorType) ?? .system,
                           authorId: mAuthorId, body: mBody, private: mIsPrivate ?? false, clientId: mClientId,
                           createdAt: Timestamp.date(mCreatedAt), editedAt: Timestamp.optionalDate(mEditedAt),
                           deletedAt: Timestamp.optionalDate(mDeletedAt), attachment: ParleyStore.attachment(stored: mAttachment))
        }
    }

    func loadConversations(_ db: any SQLDatabase, scope: TenantScope, conditions: [SQLQueryString], after: ActivityCursor?,
                           limit: Int) async throws -> [Conversation] {
        var conditions = conditions
        if let after {
            conditions.append("(c.last_activity_at, c.id) < (\(bind: after.lastActivityAt), \(bind: after.id))")
        }
        let reader = scope.userID ?? ""
        let rows = try await db.raw("""
            SELECT c.id, c.site_id, c.status, c.priority, c.assignee_id, c.seq, c.last_activity_at, c.created_at,
                v.id AS visitor_id, v.name AS visitor_name, v.email AS visitor_email,
                m.id AS m_id, m.seq AS m_seq, m.author_type AS m_author_type, m.author_id AS m_author_id, m.body AS m_body,
                m.is_private AS m_is_private, m.client_id AS m_client_id, m.created_at AS m_created_at,
                m.edited_at AS m_edited_at, m.deleted_at AS m_deleted_at, m.attachment AS m_attachment,
                (SELECT COUNT(*) FROM (SELECT 1 FROM messages u WHERE u.conversation_id = c.id
                    AND u.seq > COALESCE((SELECT r.last_read_seq FROM read_markers r
                        WHERE r.conversation_id = c.id AND r.reader_id = \(bind: reader)), 0)
                    AND u.deleted_at IS NULL AND (u.author_id IS NULL OR u.author_id <> \(bind: reader))
                    LIMIT \(literal: Limits.unreadCap)) AS capped) AS unread_count,
                (SELECT r.last_read_seq FROM read_markers r WHERE r.conversation_id = c.id AND r.reader_id = c.visitor_id) AS visitor_read_seq,
                cr.score AS rating_score, cr.comment AS rating_comment, cr.created_at AS rating_created_at
            FROM conversations c
            JOIN visitors v ON v.id = c.visitor_id
            LEFT JOIN messages m ON m.id = c.last_message_id
            LEFT JOIN conversation_ratings cr ON cr.conversation_id = c.id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY c.last_activity_at DESC, c.id DESC
            LIMIT \(literal: limit)
            """).all().map(ConversationRow.init(row:))
        guard !rows.isEmpty else { return [] }
        let labels = try await labelsByConversation(db, scope: scope, ids: rows.map(\.id))
        return rows.map { row in
            Conversation(id: row.id, siteId: row.siteId, visitor: Visitor(id: row.visitorId, name: row.visitorName, email: row.visitorEmail),
                         status: ConversationStatus(rawValue: row.status) ?? .open, priority: Priority(rawValue: row.priority) ?? .none,
                         assigneeId: row.assigneeId, labels: labels[row.id] ?? [], seq: row.seq,
                         lastActivityAt: Timestamp.date(row.lastActivityAt), createdAt: Timestamp.date(row.createdAt),
                         lastMessage: row.lastMessage, unreadCount: row.unreadCount, rating: row.rating,
                         visitorReadSeq: row.visitorReadSeq ?? 0)
        }
    }

    private func labelsByConversation(_ db: any SQLDatabase, scope: TenantScope, ids: [String]) async throws -> [String: [String]] {
        struct Row: Decodable { let conversationId: String, label: String }
        let rows = try await db.raw("""
            SELECT conversation_id, label FROM conversation_labels
            WHERE org_id = \(bind: scope.orgID) AND conversation_id IN (\(binds: ids)) ORDER BY label
            """).all(decoding: Row.self, with: rowDecoder)
        return Dictionary(grouping: rows, by: \.conversationId).mapValues { $0.map(\.label) }
    }
}
