import PostgresNIO

/// A message written in one PostgreSQL statement, prepared once per connection: the next
/// conversation sequence, the row, the author's read marker, the organization's event cursor, the
/// outbox event (its payload is the message JSON with the sequence spliced in) and the NOTIFY
/// that is delivered at commit. Returns the sequence; no row when the conversation is not there.
struct MessageInsertStatement: PostgresPreparedStatement {
    static let name = "parley_message_insert_v1"

    static let sql = """
        WITH conversation AS (
            UPDATE conversations SET seq = seq + 1, last_activity_at = $1, last_message_id = $2
            WHERE org_id = $3 AND id = $4 RETURNING seq),
        message AS (
            INSERT INTO messages (id, org_id, conversation_id, seq, author_type, author_id, body, is_private, client_id, created_at, attachment)
            SELECT $2, $3, $4, seq, $5, $6, $7, $8, $9, $1, $10 FROM conversation RETURNING seq),
        marker AS (
            INSERT INTO read_markers (org_id, conversation_id, reader_id, last_read_seq, updated_at)
            SELECT $3, $4, $6, seq, $1 FROM message
            ON CONFLICT (conversation_id, reader_id) DO UPDATE SET
                last_read_seq = GREATEST(read_markers.last_read_seq, excluded.last_read_seq), updated_at = excluded.updated_at),
        org AS (
            UPDATE organizations SET event_seq = event_seq + 1 WHERE id = $3 AND EXISTS (SELECT 1 FROM message) RETURNING event_seq),
        event AS (
            INSERT INTO events (org_id, conversation_id, seq, org_seq, type, payload, members_only, created_at)
            SELECT $3, $4, message.seq, org.event_seq, '\(EventType.messageCreated)', $11 || message.seq || $12, $8, $1
            FROM message, org RETURNING id)
        SELECT message.seq, pg_notify('\(eventNotificationChannel)', event.id::text)::text AS notified FROM message, event
        """

    let now: Int
    let id: String
    let orgID: String
    let conversationID: String
    let authorType: String
    let authorID: String
    let body: String
    let isPrivate: Bool
    let clientID: String?
    let attachment: String?
    let payloadHead: String
    let payloadTail: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 12)
        bindings.append(now)
        bindings.append(id)
        bindings.append(orgID)
        bindings.append(conversationID)
        bindings.append(authorType)
        bindings.append(authorID)
        bindings.append(body)
        bindings.append(isPrivate)
        bindings.append(clientID)
        bindings.append(attachment)
        bindings.append(payloadHead)
        bindings.append(payloadTail)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode((Int, String).self).0
    }
}
