/// Drops `events_org (org_id, id)`: since the inbox feed resumes by `org_seq` (M005), no query reads
/// events by organization and id, and the index cost every event an extra index insert.
enum M010DropEventsOrgIndex {
    static let migration = Migration(
        version: 10, name: "drop events_org index",
        up: { _ in ["DROP INDEX events_org"] },
        down: { _ in ["CREATE INDEX events_org ON events(org_id, id)"] })
}
