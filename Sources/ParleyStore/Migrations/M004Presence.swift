/// Presence: one row per connected agent socket, kept alive by heartbeats from its instance.
/// A user is online while any of their rows is fresh, so presence survives instance crashes
/// (rows go stale) and needs no shared memory between instances.
enum M004Presence {
    static let migration = Migration(
        version: 4, name: "presence",
        up: { _ in
            [
                """
                CREATE TABLE presence (
                    connection_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
                    heartbeat_at BIGINT NOT NULL)
                """,
                "CREATE INDEX presence_org_user ON presence(org_id, user_id)",
                "CREATE INDEX presence_heartbeat ON presence(heartbeat_at)",
            ]
        },
        down: { _ in ["DROP TABLE presence"] })
}
