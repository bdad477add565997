/// Full-text search over message bodies: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL.
///
/// The 'simple' configuration / unicode61 tokenizer keep search language-neutral: organizations
/// chat in every language, and stemming for one would hurt the others.
enum M003Search {
    static let migration = Migration(
        version: 3, name: "search",
        up: { dialect in
            switch dialect {
            case .sqlite:
                return [
                    """
                    CREATE VIRTUAL TABLE messages_fts USING fts5(
                        body, content='messages', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')
                    """,
                    """
                    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                        INSERT INTO messages_fts(rowid, body) VALUES (new.rowid, new.body);
                    END
                    """,
                    """
                    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
                    END
                    """,
                    """
                    CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
                        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
                        INSERT INTO messages_fts(rowid, body) VALUES (new.rowid, new.body);
                    END
                    """,
                    "CREATE INDEX visitors_org_name ON visitors(org_id, name)",
                ]
            case .postgres:
                return [
                    """
                    ALTER TABLE messages ADD COLUMN body_tsv tsvector
                        GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
                    """,
                    "CREATE INDEX messages_body_tsv ON messages USING GIN (body_tsv)",
                    "CREATE INDEX visitors_org_name ON visitors(org_id, name)",
                ]
            }
        },
        down: { dialect in
            switch dialect {
            case .sqlite:
                return ["DROP INDEX visitors_org_name", "DROP TRIGGER messages_fts_update",
                        "DROP TRIGGER messages_fts_delete", "DROP TRIGGER messages_fts_insert", "DROP TABLE messages_fts"]
            case .postgres:
                return ["DROP INDEX visitors_org_name", "DROP INDEX messages_body_tsv",
                        "ALTER TABLE messages DROP COLUMN body_tsv"]
            }
        })
}
