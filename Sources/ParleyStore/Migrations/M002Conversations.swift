/// Visitors, conversations, labels, messages, read markers and the event outbox.
enum M002Conversations {
    static let migration = Migration(
        version: 2, name: "conversations",
        up: { _ in
            [
                """
                CREATE TABLE visitors (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                    name TEXT, email TEXT, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX visitors_org ON visitors(org_id, created_at)",
                """
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL,
                    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                    visitor_id TEXT NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
                    status TEXT NOT NULL, priority TEXT NOT NULL,
                    assignee_id TEXT REFERENCES users(id) ON DELETE SET NULL,
                    seq BIGINT NOT NULL DEFAULT 0, last_message_id TEXT,
                    last_activity_at BIGINT NOT NULL, created_at BIGINT NOT NULL)
                """,
                // Inbox pages are keyset scans in (last_activity_at, id) order under each filter.
                "CREATE INDEX conversations_inbox ON conversations(org_id, last_activity_at, id)",
                "CREATE INDEX conversations_status ON conversations(org_id, status, last_activity_at, id)",
                "CREATE INDEX conversations_assignee ON conversations(org_id, assignee_id, last_activity_at, id)",
                "CREATE INDEX conversations_site ON conversations(org_id, site_id, last_activity_at, id)",
                "CREATE INDEX conversations_visitor ON conversations(visitor_id)",
                """
                CREATE TABLE conversation_labels (
                    org_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    label TEXT NOT NULL, PRIMARY KEY (conversation_id, label))
                """,
                "CREATE INDEX conversation_labels_org ON conversation_labels(org_id, label)",
                """
                CREATE TABLE messages (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    seq BIGINT NOT NULL, author_type TEXT NOT NULL, author_id TEXT, body TEXT NOT NULL,
                    is_private BOOLEAN NOT NULL DEFAULT FALSE, client_id TEXT,
                    created_at BIGINT NOT NULL, edited_at BIGINT, deleted_at BIGINT,
                    UNIQUE (conversation_id, seq), UNIQUE (conversation_id, client_id))
                """,
                """
                CREATE TABLE read_markers (
                    org_id TEXT NOT NULL,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    reader_id TEXT NOT NULL, last_read_seq BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    PRIMARY KEY (conversation_id, reader_id))
                """,
                """
                CREATE TABLE events (
                    id {{autoid}}, org_id TEXT NOT NULL, conversation_id TEXT, seq BIGINT,
                    type TEXT NOT NULL, payload TEXT NOT NULL, members_only BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX events_org ON events(org_id, id)",
                "CREATE INDEX events_conversation ON events(conversation_id, seq)",
            ]
        },
        down: { _ in
            ["events", "read_markers", "messages", "conversation_labels", "conversations", "visitors"]
                .map { "DROP TABLE \($0)" }
        })
}
