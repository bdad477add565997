import Foundation
import ParleyCore
import SQLKit

/// Writing a message: the conversation's next sequence, the row, the author's read marker and the
/// outbox event, in one transaction. SQLite runs it as a few cheap statements; PostgreSQL as one
/// statement, since every statement there is a round trip and a parse.
extension ParleyStore {
    /// A message as it will be stored, rendered before the write: its JSON (with a slot for the
    /// sequence only the database knows) is encoded outside the transaction, so the writer's
    /// critical section does no encoding, and the same text serves the event and the sender's answer.
    struct RenderedMessage: Sendable {
        let id: String
        let now: Int
        let author: (type: AuthorType, id: String)
        let draft: MessageDraft
        let conversationID: String
        let json: SequenceSlot

        init(conversationID: String, draft: MessageDraft, author: (type: AuthorType, id: String), now: Int) throws {
            self.id = Identifier.make("msg")
            self.now = now
            self.author = author
            self.draft = draft
            self.conversationID = conversationID
            self.json = try SequenceSlot(Self.message(id: id, conversationID: conversationID, seq: SequenceSlot.marker, draft: draft,
                                                      author: author, now: now))
        }

        func message(seq: Int) -> Message {
            Self.message(id: id, conversationID: conversationID, seq: seq, draft: draft, author: author, now: now)
        }

        private static func message(id: String, conversationID: String, seq: Int, draft: MessageDraft,
                                    author: (type: AuthorType, id: String), now: Int) -> Message {
            Message(id: id, conversationId: conversationID, seq: seq, authorType: author.type, authorId: author.id, body: draft.body,
                    private: draft.isPrivate, clientId: draft.clientID, createdAt: Timestamp.date(now), editedAt: nil, deletedAt: nil,
                    attachment: draft.attachment?.attachment)
        }
    }

    /// A stored message and its JSON.
    struct InsertedMessage: Sendable {
        let message: Message
        let json: String
    }

    /// A message moves its conversation's `last_activity_at` (the inbox order) only when it is at
    /// least this much newer. The column is in four inbox indexes: changed on every message, each
    /// message rewrote four index entries, and on PostgreSQL the row update could never be HOT
    /// (in place), so a busy conversation filled its table and indexes with dead versions. Within a
    /// second, the inbox order cannot tell anyway.
    static let activityResolutionMS = 1_000

    func render(conversationID: String, draft: MessageDraft, author: (type: AuthorType, id: String)) throws -> RenderedMessage {
        try RenderedMessage(conversationID: conversationID, draft: draft, author: author, now: nowMS)
    }

    func insertMessage(_ db: any SQLDatabase, scope: TenantScope, conversationID: String, draft: MessageDraft,
                       author: (type: AuthorType, id: String)) async throws -> InsertedMessage {
        try await insertMessage(db, scope: scope, rendered: try render(conversationID: conversationID, draft: draft, author: author))
    }

    func insertMessage(_ db: any SQLDatabase, scope: TenantScope, rendered: RenderedMessage) async throws -> InsertedMessage {
        let seq: Int
        switch dialect {
        case .sqlite: seq = try await insertMessageInSteps(db, scope: scope, rendered: rendered)
        case .postgres: seq = try await insertMessageInOneStatement(db, scope: scope, rendered: rendered)
        }
        if let stored = rendered.draft.attachment {
            try await insertAttachment(db, orgID: scope.orgID, conversationID: rendered.conversationID, messageID: rendered.id,
                                       stored: stored, now: rendered.now)
        }
        return InsertedMessage(message: rendered.message(seq: seq), json: rendered.json.filled(seq))
    }

    /// Bumps the conversation sequence first (which also serializes writers on the conversation
    /// row), then writes the message, letting the client id's unique index catch a retry, then the
    /// author's read marker and the outbox event. Returns the sequence.
    private func insertMessageInSteps(_ db: any SQLDatabase, scope: TenantScope, rendered: RenderedMessage) async throws -> Int {
        let (id, conversationID, draft, author, now) = (rendered.id, rendered.conversationID, rendered.draft, rendered.author, rendered.now)
        let seq = try await db.raw("""
            UPDATE conversations SET seq = seq + 1, last_message_id = \(bind: id),
                last_activity_at = CASE WHEN \(bind: now) - last_activity_at >= \(literal: Self.activityResolutionMS) THEN \(bind: now) ELSE last_activity_at END
            WHERE org_id = \(bind: scope.orgID) AND id = \(bind: conversationID) RETURNING seq
            """).first(decodingColumn: "seq", as: Int.self)
        guard let seq else { throw StoreError.notFound("conversation") }
        let inserted = try await db.raw("""
            INSERT INTO messages (id, org_id, conversation_id, seq, author_type, author_id, body, is_private, client_id, created_at, attachment)
            VALUES (\(bind: id), \(bind: scope.orgID), \(bind: conversationID), \(bind: seq), \(bind: author.type.rawValue),
                    \(bind: author.id), \(bind: draft.body), \(bind: draft.isPrivate), \(bind: draft.clientID), \(bind: now),
                    \(bind: try Self.attachmentJSON(draft)))
            ON CONFLICT (conversation_id, client_id) DO NOTHING RETURNING id
            """).first(decodingColumn: "id", as: String.self)
        if inserted == nil, let clientID = draft.clientID,
            let earlier = try await db.raw("""
                SELECT \(Self.messageColumns) FROM messages WHERE conversation_id = \(bind: conversationID) AND client_id = \(bind: clientID)
                """).first(decoding: MessageRow.self, with: rowDecoder) {
            throw AlreadySent(message: earlier.message)  // rolls the sequence bump back
        }
        try await upsertReadMarker(db, scope: scope, conversationID: conversationID, readerID: author.id, seq: seq)
        try await appendEvent(db, orgID: scope.orgID, conversationID: conversationID, seq: seq, type: EventType.messageCreated,
                              payloadJSON: rendered.json.filled(seq), membersOnly: draft.isPrivate)
        return seq
    }

    /// The same as one PostgreSQL statement (`MessageInsertStatement`).
    private func insertMessageInOneStatement(_ db: any SQLDatabase, scope: TenantScope, rendered: RenderedMessage) async throws -> Int {
        guard let seq = try await Self.insertMessages(db, orgID: scope.orgID, [rendered])[rendered.id] else {
            throw StoreError.notFound("conversation")
        }
        return seq
    }

    /// Writes messages of one organization with one PostgreSQL statement, which needs no
    /// transaction around it. Answers message id → sequence; a message whose conversation is not
    /// there is left out. A retry's client id violates the unique index, which undoes the whole
    /// statement.
    static func insertMessages(_ db: any SQLDatabase, orgID: String, _ messages: [RenderedMessage]) async throws -> [String: Int] {
        guard let session = db as? PostgresSession else { preconditionFailure("a PostgreSQL store lends PostgresSession") }
        let items = try messages.map { rendered in
            MessageInsertStatement.Item(now: rendered.now, id: rendered.id, conversationID: rendered.conversationID,
                                        authorType: rendered.author.type.rawValue, authorID: rendered.author.id, body: rendered.draft.body,
                                        isPrivate: rendered.draft.isPrivate, clientID: rendered.draft.clientID,
                                        attachment: try attachmentJSON(rendered.draft),
                                        payloadHead: rendered.json.head, payloadTail: rendered.json.tail)
        }
        let rows = try await session.run(MessageInsertStatement(orgID: orgID, items: items))
        return Dictionary(rows.map { ($0.id, $0.seq) }, uniquingKeysWith: { first, _ in first })
    }

    /// One batch of PostgreSQL's group commit of sends (`GroupCommit`): each message's sequence,
    /// or why it was not written.
    static func writeGroup(_ engine: any DatabaseEngine, orgID: String, _ messages: [RenderedMessage]) async -> [Result<Int, any Error>] {
        do {
            let seqs = try await engine.autocommit { db in try await insertMessages(db, orgID: orgID, messages) }
            // A removed member's message writes nothing of its batch: write each on its own.
            if seqs.isEmpty && messages.count > 1 { return await writeEach(engine, orgID: orgID, messages) }
            return messages.map { seqs[$0.id].map { .success($0) } ?? .failure(StoreError.notFound("conversation")) }
        } catch where messages.count > 1 && (isUniqueViolation(error) || isDeadlock(error)) {
            // One retry's client id, or a lock cycle with another instance's batch, undid them all.
            return await writeEach(engine, orgID: orgID, messages)
        } catch {
            return messages.map { _ in .failure(error) }
        }
    }

    /// The batch written message by message, so only the one at fault fails.
    private static func writeEach(_ engine: any DatabaseEngine, orgID: String, _ messages: [RenderedMessage]) async -> [Result<Int, any Error>] {
        var results: [Result<Int, any Error>] = []
        for message in messages { results += await writeGroup(engine, orgID: orgID, [message]) }
        return results
    }

    private static func attachmentJSON(_ draft: MessageDraft) throws -> String? {
        try draft.attachment.map { try encodeJSON($0.attachment) }
    }
}

/// A message's JSON split around its sequence number, which only the database knows yet.
struct SequenceSlot: Sendable {
    /// A sequence no message has, standing in for the real one while encoding.
    static let marker = Int.min
    let head: String
    let tail: String

    init(_ message: Message) throws {
        let json = try ParleyStore.encodeJSON(message)
        // Inside a JSON string a quote is escaped, so `"seq":` followed by the marker can only be the member itself.
        guard let slot = json.range(of: #""seq":\#(Self.marker)"#) else {
            throw EncodingError.invalidValue(message, .init(codingPath: [], debugDescription: "the message's JSON has no seq member"))
        }
        head = json[..<slot.lowerBound] + #""seq":"#
        tail = String(json[slot.upperBound...])
    }

    /// The JSON with the sequence in its place.
    func filled(_ seq: Int) -> String {
        head + String(seq) + tail
    }
}
