/// Lets an agent's overall presence be answered by two index probes instead of reading every
/// connection row of that agent (which made a thousand sockets of one agent cost a million row
/// reads as they connected).
enum M009PresenceStatusIndex {
    static let migration = Migration(
        version: 9, name: "presence status index",
        up: { _ in ["CREATE INDEX presence_user_status ON presence(org_id, user_id, status, heartbeat_at)"] },
        down: { _ in ["DROP INDEX presence_user_status"] })
}
