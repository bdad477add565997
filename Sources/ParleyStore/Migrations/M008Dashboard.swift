/// What the dashboard adds: canned responses, the label catalog, notes on visitors, and what the
/// visitor panel shows about a visitor (custom attributes from `identify`, browser hints from the
/// widget session).
enum M008Dashboard {
    static let migration = Migration(
        version: 8, name: "dashboard",
        up: { _ in
            [
                """
                CREATE TABLE canned_responses (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    shortcut TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    UNIQUE (org_id, shortcut))
                """,
                """
                CREATE TABLE labels (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, color TEXT NOT NULL, created_at BIGINT NOT NULL,
                    UNIQUE (org_id, name))
                """,
                """
                CREATE TABLE visitor_notes (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL,
                    visitor_id TEXT NOT NULL REFERENCES visitors(id) ON DELETE CASCADE,
                    author_id TEXT REFERENCES users(id) ON DELETE SET NULL,
                    body TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX visitor_notes_visitor ON visitor_notes(visitor_id, created_at)",
                "ALTER TABLE visitors ADD COLUMN attributes TEXT",
                "ALTER TABLE visitors ADD COLUMN locale TEXT",
                "ALTER TABLE visitors ADD COLUMN timezone TEXT",
                "ALTER TABLE visitors ADD COLUMN user_agent TEXT",
            ]
        },
        down: { _ in
            [
                "ALTER TABLE visitors DROP COLUMN user_agent",
                "ALTER TABLE visitors DROP COLUMN timezone",
                "ALTER TABLE visitors DROP COLUMN locale",
                "ALTER TABLE visitors DROP COLUMN attributes",
                "DROP TABLE visitor_notes",
                "DROP TABLE labels",
                "DROP TABLE canned_responses",
            ]
        })
}
