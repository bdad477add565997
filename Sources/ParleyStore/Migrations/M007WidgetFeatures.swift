/// What the website widget adds: per-site widget settings (one JSON document, defaults when NULL),
/// leads from the pre-chat and offline forms, attachments (metadata here, bytes in the attachment
/// store), and satisfaction ratings of conversations.
enum M007WidgetFeatures {
    static let migration = Migration(
        version: 7, name: "widget_features",
        up: { _ in
            [
                "ALTER TABLE sites ADD COLUMN widget_settings TEXT",
                """
                CREATE TABLE leads (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
                    visitor_id TEXT REFERENCES visitors(id) ON DELETE SET NULL,
                    source TEXT NOT NULL, name TEXT, email TEXT, message TEXT, fields TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                // Lead pages are keyset scans, newest first, under each filter.
                "CREATE INDEX leads_org ON leads(org_id, created_at, id)",
                "CREATE INDEX leads_site ON leads(org_id, site_id, created_at, id)",
                """
                CREATE TABLE attachments (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    message_id TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL, byte_size BIGINT NOT NULL,
                    storage_key TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX attachments_conversation ON attachments(conversation_id)",
                // The attachment's metadata (immutable) travels with its message as JSON: no join per page.
                "ALTER TABLE messages ADD COLUMN attachment TEXT",
                """
                CREATE TABLE conversation_ratings (
                    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
                    org_id TEXT NOT NULL, score INTEGER NOT NULL, comment TEXT, created_at BIGINT NOT NULL)
                """,
            ]
        },
        down: { _ in
            [
                "DROP TABLE conversation_ratings",
                "ALTER TABLE messages DROP COLUMN attachment",
                "DROP TABLE attachments",
                "DROP TABLE leads",
                "ALTER TABLE sites DROP COLUMN widget_settings",
            ]
        })
}
