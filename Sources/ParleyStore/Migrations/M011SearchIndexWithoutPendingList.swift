/// Writes each message's search terms straight into the GIN index (PostgreSQL `fastupdate = off`).
///
/// With the default pending list, inserts are cheap until the list outgrows `gin_pending_list_limit`,
/// and then the one insert that crosses it merges the whole list while holding its transaction
/// open: tens of milliseconds for one unlucky message, behind the organization's event cursor lock,
/// so every sender of that organization waits too. Chat writes small bodies steadily; a steady,
/// slightly higher cost per message is the better trade. SQLite's FTS5 index has no such list.
enum M011SearchIndexWithoutPendingList {
    static let migration = Migration(
        version: 11, name: "search index without pending list",
        up: { dialect in
            dialect == .postgres ? ["ALTER INDEX messages_body_tsv SET (fastupdate = off)"] : []
        },
        down: { dialect in
            dialect == .postgres ? ["ALTER INDEX messages_body_tsv RESET (fastupdate)"] : []
        })
}
