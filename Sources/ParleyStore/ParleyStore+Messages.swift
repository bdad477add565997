import Foundation
import ParleyCore
import SQLKit

/// What a sender submits; body and client id are already validated.
public struct MessageDraft: Sendable {
    public var body: String
    public var isPrivate: Bool
    public var clientID: String?
    /// A file already put into attachment storage under `storageKey`.
    public var attachment: StoredAttachment?

    public init(body: String, isPrivate: Bool, clientID: String?, attachment: StoredAttachment? = nil) {
        self.body = body
        self.isPrivate = isPrivate
        self.clientID = clientID
        self.attachment = attachment
    }
}

/// Direction of a message page.
public enum MessagePageDirection: Sendable, Equatable {
    /// The newest messages before `seq` (nil = the latest page).
    case before(Int?)
    /// The oldest messages after `seq`.
    case after(Int)
}

/// Messages: history pages, idempotent sends, edits, soft deletes and read markers.
extension ParleyStore {
    struct MessageRow: Decodable {
        let id: String, conversationId: String, seq: Int, authorType: String, authorId: String?, body: String
        let isPrivate: Bool, clientId: String?, createdAt: Int, editedAt: Int?, deletedAt: Int?, attachment: String?

        var message: Message {
            Message(id: id, conversationId: conversationId, seq: seq, authorType: AuthorType(rawValue: authorType) ?? .system,
                    authorId: authorId, body: body, private: isPrivate, clientId: clientId, createdAt: Timestamp.date(createdAt),
                    editedAt: Timestamp.optionalDate(editedAt), deletedAt: Timestamp.optionalDate(deletedAt),
                    attachment: ParleyStore.attachment(stored: attachment))
        }
    }

    static let messageColumns: SQLQueryString =
        "id, conversation_id, seq, author_type, author_id, body, is_private, client_id, created_at, edited_at, deleted_at, attachment"

    static func attachment(stored: String?) -> Attachment? {
        stored.flatMap { try? JSONCoding.makeDecoder().decode(Attachment.self, from: Data($0.utf8)) }
    }

    /// Carries an earlier message with the same client id out of a rolled-back transaction.
    struct AlreadySent: Error { let message: Message }

    public func messages(_ scope: TenantScope, conversationID: String, direction: MessagePageDirection, limit: Int) async throws -> Page<Message> {
        try await engine.read { db in
            try await self.requireConversation(db, scope: scope, id: conversationID)
            return try await self.messagePage(db, orgID: scope.orgID, conversationID: conversationID, direction: direction,
                                              limit: limit, includePrivate: true)
        }
    }

    /// One page of a conversation's messages, ascending by seq; visitors' pages leave private notes out.
    func messagePage(_ db: any SQLDatabase, orgID: String, conversationID: String, direction: MessagePageDirection, limit: Int,
                     includePrivate: Bool) async throws -> Page<Message> {
        let visibility: SQLQueryString = includePrivate ? "" : " AND is_private = \(bind: false)"
        let base: SQLQueryString = "SELECT \(Self.messageColumns) FROM messages WHERE org_id = \(bind: orgID) AND conversation_id = \(bind: conversationID)\(visibility)"
        let rows: [MessageRow]
        switch direction {
        case .before(let seq):
            let bound: SQLQueryString = seq.map { " AND seq < \(bind: $0)" } ?? ""
            rows = try await db.raw("\(base)\(bound) ORDER BY seq DESC LIMIT \(literal: limit + 1)")
                .all(decoding: MessageRow.self, with: rowDecoder)
        case .after(let seq):
            rows = try await db.raw("\(base) AND seq > \(bind: seq) ORDER BY seq ASC LIMIT \(literal: limit + 1)")
                .all(decoding: MessageRow.self, with: rowDecoder)
        }
        let page = rows.prefix(limit).map(\.message)
        let more = rows.count > limit
        switch direction {
        case .before:
            return Page(items: page.reversed(), nextCursor: more ? page.last.map { String($0.seq) } : nil)
        case .after:
            return Page(items: Array(page), nextCursor: more ? page.last.map { String($0.seq) } : nil)
        }
    }

    /// Sends a message as the scope's member. A retry with the same client id returns the first
    /// message unchanged (`created == false`) instead of writing a second one.
    /// A message `sendMessage` returns: the stored one, or the earlier one a retry with the same
    /// client id found (`created` false).
    public struct SentMessage: Sendable {
        public let message: Message
        public let created: Bool
        /// The message as JSON, when this call wrote it (the same text its event carries).
        public let json: String?
    }

    public func sendMessage(_ scope: TenantScope, conversationID: String, draft: MessageDraft) async throws -> SentMessage {
        guard let userID = scope.userID else { throw StoreError.forbidden("only a member can send as a member") }
        do {
            let rendered = try render(conversationID: conversationID, draft: draft, author: (.member, userID))
            if dialect == .postgres && draft.attachment == nil {
                // One statement, shared with whatever else the organization is sending (`GroupCommit`).
                let seq = try await messageWrites.submit(rendered, key: scope.orgID)
                return SentMessage(message: rendered.message(seq: seq), created: true, json: rendered.json.filled(seq))
            }
            let inserted = try await engine.transaction { db in try await self.insertMessage(db, scope: scope, rendered: rendered) }
            return SentMessage(message: inserted.message, created: true, json: inserted.json)
        } catch let earlier as AlreadySent {
            return SentMessage(message: earlier.message, created: false, json: nil)
        } catch where isUniqueViolation(error) {
            // A concurrent retry committed first (PostgreSQL); the constraint decided, so return its row.
            guard let clientID = draft.clientID,
                let existing = try await message(scope, conversationID: conversationID, clientID: clientID) else { throw error }
            return SentMessage(message: existing, created: false, json: nil)
        }
    }

    /// A realtime member's send, authorized by the write itself where it can be: on PostgreSQL the
    /// message statement writes nothing for an author who is no longer a member, which saves the
    /// hottest command a membership query (a round trip) of its own. Nil when `userID` is not a
    /// member of the organization.
    public func sendMessage(asMember userID: String, orgID: String, conversationID: String, draft: MessageDraft) async throws -> SentMessage? {
        guard dialect == .postgres, draft.attachment == nil else {
            guard let scope = try await memberScope(userID: userID, orgID: orgID) else { return nil }
            return try await sendMessage(scope, conversationID: conversationID, draft: draft)
        }
        // Not proven yet: nothing reads with it until the statement has proven it, by writing or by
        // colliding with a retry's client id (which a non-member's statement cannot reach either).
        let unproven = TenantScope(orgID: orgID, userID: userID, role: .agent)
        do {
            return try await sendMessage(unproven, conversationID: conversationID, draft: draft)
        } catch StoreError.notFound(let what) {
            guard try await memberScope(userID: userID, orgID: orgID) != nil else { return nil }
            throw StoreError.notFound(what)
        }
    }

    func message(_ scope: TenantScope, conversationID: String, clientID: String) async throws -> Message? {
        try await engine.read { db in
            try await db.raw("""
                SELECT \(Self.messageColumns) FROM messages WHERE org_id = \(bind: scope.orgID)
                AND conversation_id = \(bind: conversationID) AND client_id = \(bind: clientID)
                """).first(decoding: MessageRow.self, with: self.rowDecoder)
        }?.message
    }

    /// Edits a message body (author, or an owner/admin); deleted messages stay deleted.
    public func editMessage(_ scope: TenantScope, conversationID: String, messageID: String, body: String) async throws -> Message {
        try await changeMessage(scope, conversationID: conversationID, messageID: messageID, eventType: EventType.messageUpdated) { now in
            "body = \(bind: body), edited_at = \(bind: now)"
        }
    }

    /// Soft-deletes: the row and its place in the sequence stay, the body is erased (and an
    /// attachment can no longer be linked to).
    public func deleteMessage(_ scope: TenantScope, conversationID: String, messageID: String) async throws -> Message {
        try await changeMessage(scope, conversationID: conversationID, messageID: messageID, eventType: EventType.messageDeleted) { now in
            "body = '', attachment = NULL, deleted_at = \(bind: now)"
        }
    }

    private func changeMessage(_ scope: TenantScope, conversationID: String, messageID: String, eventType: String,
                               assignments: @escaping @Sendable (Int) -> SQLQueryString) async throws -> Message {
        try await engine.transaction { db in
            let row = try await db.raw("""
                SELECT \(Self.messageColumns) FROM messages WHERE org_id = \(bind: scope.orgID)
                AND conversation_id = \(bind: conversationID) AND id = \(bind: messageID)
                """).first(decoding: MessageRow.self, with: self.rowDecoder)
            guard let row else { throw StoreError.notFound("message") }
            let isAuthor = row.authorType == AuthorType.member.rawValue && row.authorId == scope.userID
            guard isAuthor || scope.role.canManageOrganization else {
                throw StoreError.forbidden("only the author or an owner/admin can change this message")
            }
            guard row.deletedAt == nil else { throw StoreError.conflict("the message is deleted") }
            let now = self.nowMS
            let seq = try await db.raw("""
                UPDATE conversations SET seq = seq + 1 WHERE org_id = \(bind: scope.orgID) AND id = \(bind: conversationID) RETURNING seq
                """).first(decodingColumn: "seq", as: Int.self) ?? 0
            let updated = try await db.raw("""
                UPDATE messages SET \(assignments(now)) WHERE id = \(bind: messageID) RETURNING \(Self.messageColumns)
                """).first(decoding: MessageRow.self, with: self.rowDecoder)
            guard let message = updated?.message else { throw StoreError.notFound("message") }
            try await self.appendEvent(db, orgID: scope.orgID, conversationID: conversationID, seq: seq, type: eventType,
                                       payload: message, membersOnly: message.private)
            return message
        }
    }

    /// Moves the caller's read marker forward to `seq` (never backwards). Returns the marker's value.
    public func markRead(_ scope: TenantScope, conversationID: String, seq: Int) async throws -> Int {
        guard let userID = scope.userID else { throw StoreError.forbidden("only a member has a read marker") }
        return try await markRead(scope, conversationID: conversationID, readerID: userID, seq: seq, visitorID: nil)
    }

    /// Records a read receipt and announces it (`conversation.read`); with `visitorID`, only on that
    /// visitor's own conversation.
    func markRead(_ scope: TenantScope, conversationID: String, readerID: String, seq: Int, visitorID: String?) async throws -> Int {
        try await engine.transaction { db in
            let owner: SQLQueryString = visitorID.map { " AND visitor_id = \(bind: $0)" } ?? ""
            let current = try await db.raw("""
                SELECT seq FROM conversations WHERE org_id = \(bind: scope.orgID) AND id = \(bind: conversationID)\(owner)
                """).first(decodingColumn: "seq", as: Int.self)
            guard let current else { throw StoreError.notFound("conversation") }
            guard seq <= current else {
                throw StoreError.invalid(ValidationError(field: "seq", reason: "is beyond the conversation's last sequence \(current)", limit: current))
            }
            let marker = try await self.upsertReadMarker(db, scope: scope, conversationID: conversationID, readerID: readerID, seq: seq)
            struct Receipt: Encodable { let readerId: String, seq: Int }
            try await self.appendEvent(db, orgID: scope.orgID, conversationID: conversationID, seq: nil,
                                       type: EventType.conversationRead, payload: Receipt(readerId: readerID, seq: marker))
            return marker
        }
    }

    /// Every reader's marker on the conversation (reader id → last read sequence): what a
    /// subscriber learns on (re)subscribing, since receipts have no sequence to replay by.
    public func readMarkers(_ scope: TenantScope, conversationID: String) async throws -> [String: Int] {
        try await engine.read { db in try await self.readMarkers(db, orgID: scope.orgID, conversationID: conversationID) }
    }

    func readMarkers(_ db: any SQLDatabase, orgID: String, conversationID: String) async throws -> [String: Int] {
        struct Marker: Decodable { let readerId: String, lastReadSeq: Int }
        let markers = try await db.raw("""
            SELECT reader_id, last_read_seq FROM read_markers WHERE org_id = \(bind: orgID) AND conversation_id = \(bind: conversationID)
            """).all(decoding: Marker.self, with: rowDecoder)
        return Dictionary(markers.map { ($0.readerId, $0.lastReadSeq) }, uniquingKeysWith: max)
    }

    @discardableResult
    func upsertReadMarker(_ db: any SQLDatabase, scope: TenantScope, conversationID: String, readerID: String, seq: Int) async throws -> Int {
        try await db.raw("""
            INSERT INTO read_markers (org_id, conversation_id, reader_id, last_read_seq, updated_at)
            VALUES (\(bind: scope.orgID), \(bind: conversationID), \(bind: readerID), \(bind: seq), \(bind: nowMS))
            ON CONFLICT (conversation_id, reader_id) DO UPDATE SET
                last_read_seq = CASE WHEN read_markers.last_read_seq > excluded.last_read_seq
                    THEN read_markers.last_read_seq ELSE excluded.last_read_seq END,
                updated_at = excluded.updated_at
            RETURNING last_read_seq
            """).first(decodingColumn: "last_read_seq", as: Int.self) ?? seq
    }

    func requireConversation(_ db: any SQLDatabase, scope: TenantScope, id: String) async throws {
        _ = try await conversationSeq(db, scope: scope, id: id)
    }

    private func conversationSeq(_ db: any SQLDatabase, scope: TenantScope, id: String) async throws -> Int {
        let seq = try await db.raw("SELECT seq FROM conversations WHERE org_id = \(bind: scope.orgID) AND id = \(bind: id)")
            .first(decodingColumn: "seq", as: Int.self)
        guard let seq else { throw StoreError.notFound("conversation") }
        return seq
    }

    /// The conversation's current sequence (one primary-key read; 404 outside the scope). Realtime
    /// commands use it instead of loading the whole conversation row with its unread count.
    public func conversationSeq(_ scope: TenantScope, id: String) async throws -> Int {
        try await engine.read { db in try await self.conversationSeq(db, scope: scope, id: id) }
    }
}
