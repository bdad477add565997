/// Visitor sessions (an anonymous browser token, stored hashed), visitor presence with the current
/// page, and a per-organization event cursor for resuming an agent's inbox feed.
///
/// `organizations.event_seq` is bumped by every transaction that appends an event, so the row lock
/// orders an organization's events by commit (PostgreSQL identity ids are assigned at insert, not
/// at commit, and cannot serve as a resume cursor there). Existing events are numbered by id. On
/// SQLite a trigger numbers each new event inside its INSERT (one statement per event instead of
/// two); PostgreSQL does the same in one statement with a data-modifying CTE (`appendEvent`).
enum M005VisitorSessions {
    static let sqliteNumbering = """
        CREATE TRIGGER events_org_seq AFTER INSERT ON events FOR EACH ROW WHEN NEW.org_seq IS NULL BEGIN
            UPDATE organizations SET event_seq = event_seq + 1 WHERE id = NEW.org_id;
            UPDATE events SET org_seq = (SELECT event_seq FROM organizations WHERE id = NEW.org_id) WHERE id = NEW.id;
        END
        """

    static let migration = Migration(
        version: 5, name: "visitor_sessions",
        up: { dialect in
            (dialect == .sqlite ? [sqliteNumbering] : []) + [
                "ALTER TABLE visitors ADD COLUMN anonymous_hash TEXT",
                "ALTER TABLE visitors ADD COLUMN last_seen_at BIGINT",
                "CREATE UNIQUE INDEX visitors_anonymous ON visitors(anonymous_hash)",
                "ALTER TABLE presence ADD COLUMN is_visitor BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE presence ADD COLUMN page TEXT",
                "ALTER TABLE organizations ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE events ADD COLUMN org_seq BIGINT",
                "UPDATE events SET org_seq = id",
                "UPDATE organizations SET event_seq = COALESCE((SELECT MAX(id) FROM events), 0)",
                "CREATE INDEX events_org_seq ON events(org_id, org_seq)",
            ]
        },
        down: { dialect in
            (dialect == .sqlite ? ["DROP TRIGGER events_org_seq"] : []) + [
                "DROP INDEX events_org_seq",
                "ALTER TABLE events DROP COLUMN org_seq",
                "ALTER TABLE organizations DROP COLUMN event_seq",
                "ALTER TABLE presence DROP COLUMN page",
                "ALTER TABLE presence DROP COLUMN is_visitor",
                "DROP INDEX visitors_anonymous",
                "ALTER TABLE visitors DROP COLUMN last_seen_at",
                "ALTER TABLE visitors DROP COLUMN anonymous_hash",
            ]
        })
}
