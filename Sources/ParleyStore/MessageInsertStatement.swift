import ParleyCore
import PostgresNIO

/// Messages of one organization written in one PostgreSQL statement, prepared once per connection:
/// each conversation's next sequences, the rows, the authors' read markers, the organization's
/// event cursor, the outbox events (each payload is the message JSON with its sequence spliced in)
/// and one NOTIFY carrying the new event ids, delivered at commit.
///
/// Messages go in as parallel arrays, in arrival order; several for one conversation get
/// consecutive sequences in that order (`rank`, counted here, so the database needs no window or
/// sort). Returns (message id, sequence) for each message written: a message whose conversation is
/// not there is left out, and its place in the organization's event cursor stays unused.
///
/// Every member author must still be a member of the organization, or nothing is written: the
/// statement is the membership check of a realtime send (`ParleyStore.sendMessage(asMember:…)`),
/// which so costs no round trip of its own and cannot race a removal.
///
/// `last_activity_at` moves only by `ParleyStore.activityResolutionMS` or more, so most of a busy
/// conversation's updates leave its indexed columns alone and are HOT.
///
/// Rows are locked in the order every other writer uses: conversations (by id: the index scan
/// over the sorted `ANY` array), then read markers, then the organization. The `org` step waits
/// for every marker first, or the markers would be written after the organization row is taken,
/// and a concurrent `mark read` (marker, then organization) could deadlock with it.
struct MessageInsertStatement: PostgresPreparedStatement {
    static let name = "parley_message_insert_v2"

    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($6::text[], $7::text[], $8::int8[], $9::text[], $10::text[], $11::text[], $12::bool[], $13::text[],
                                 $14::int8[], $15::text[], $16::text[], $17::text[])
            WITH ORDINALITY AS input(id, conversation_id, rank, author_type, author_id, body, is_private, client_id, created_at,
                                     attachment, head, tail, n)),
        conversation AS (
            UPDATE conversations SET seq = conversations.seq + batch.total, last_message_id = batch.last_id,
                last_activity_at = CASE WHEN batch.last_at - conversations.last_activity_at >= \(ParleyStore.activityResolutionMS)
                                        THEN batch.last_at ELSE conversations.last_activity_at END
            FROM unnest($2::text[], $3::int8[], $4::int8[], $5::text[]) AS batch(id, total, last_at, last_id)
            WHERE conversations.org_id = $1 AND conversations.id = ANY($2::text[]) AND conversations.id = batch.id
              AND NOT EXISTS (SELECT 1 FROM unnest($9::text[], $10::text[]) AS author(type, id)
                              WHERE author.type = '\(AuthorType.member.rawValue)' AND NOT EXISTS (
                                  SELECT 1 FROM memberships WHERE memberships.org_id = $1 AND memberships.user_id = author.id))
            RETURNING conversations.id, conversations.seq - batch.total AS base),
        message AS (
            INSERT INTO messages (id, org_id, conversation_id, seq, author_type, author_id, body, is_private, client_id, created_at, attachment)
            SELECT input.id, $1, input.conversation_id, conversation.base + input.rank, input.author_type, input.author_id, input.body,
                   input.is_private, NULLIF(input.client_id, ''), input.created_at, NULLIF(input.attachment, '')
            FROM input JOIN conversation ON conversation.id = input.conversation_id
            RETURNING id, conversation_id, seq, author_id, created_at),
        marker AS (
            INSERT INTO read_markers (org_id, conversation_id, reader_id, last_read_seq, updated_at)
            SELECT $1, conversation_id, author_id, max(seq), max(created_at) FROM message GROUP BY conversation_id, author_id
            ON CONFLICT (conversation_id, reader_id) DO UPDATE SET
                last_read_seq = GREATEST(read_markers.last_read_seq, excluded.last_read_seq), updated_at = excluded.updated_at
            RETURNING 1),
        org AS (
            UPDATE organizations SET event_seq = event_seq + cardinality($6::text[])
            WHERE id = $1 AND (SELECT count(*) FROM marker) > 0
            RETURNING event_seq - cardinality($6::text[]) AS base),
        event AS (
            INSERT INTO events (org_id, conversation_id, seq, org_seq, type, payload, members_only, created_at)
            SELECT $1, message.conversation_id, message.seq, org.base + input.n, '\(EventType.messageCreated)',
                   input.head || message.seq || input.tail, input.is_private, input.created_at
            FROM message JOIN input ON input.id = message.id CROSS JOIN org
            RETURNING id),
        notified AS (
            SELECT pg_notify('\(eventNotificationChannel)', string_agg(id::text, ',' ORDER BY id)) FROM event HAVING count(*) > 0)
        SELECT message.id, message.seq FROM message, notified
        """

    struct Item: Sendable {
        let now: Int
        let id: String
        let conversationID: String
        let authorType: String
        let authorID: String
        let body: String
        let isPrivate: Bool
        let clientID: String?
        let attachment: String?
        let payloadHead: String
        let payloadTail: String
    }

    let orgID: String
    let items: [Item]

    func makeBindings() throws -> PostgresBindings {
        // Per conversation, in id order: how many messages, and the last one's time and id.
        var conversations: [String: (total: Int, lastAt: Int, lastID: String)] = [:]
        var ranks: [Int] = []
        for item in items {
            let total = (conversations[item.conversationID]?.total ?? 0) + 1
            conversations[item.conversationID] = (total, item.now, item.id)
            ranks.append(total)
        }
        let ordered = conversations.sorted { $0.key < $1.key }
        var bindings = PostgresBindings(capacity: 17)
        bindings.append(orgID)
        bindings.append(ordered.map(\.key))
        bindings.append(ordered.map(\.value.total))
        bindings.append(ordered.map(\.value.lastAt))
        bindings.append(ordered.map(\.value.lastID))
        bindings.append(items.map(\.id))
        bindings.append(items.map(\.conversationID))
        bindings.append(ranks)
        bindings.append(items.map(\.authorType))
        bindings.append(items.map(\.authorID))
        bindings.append(items.map(\.body))
        bindings.append(items.map(\.isPrivate))
        // PostgresNIO has no arrays with NULL elements; '' (never a valid client id or attachment) stands for none.
        bindings.append(items.map { $0.clientID ?? "" })
        bindings.append(items.map(\.now))
        bindings.append(items.map { $0.attachment ?? "" })
        bindings.append(items.map(\.payloadHead))
        bindings.append(items.map(\.payloadTail))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (id: String, seq: Int) {
        let (id, seq) = try row.decode((String, Int).self)
        return (id, seq)
    }
}
