import ParleyStore

/// The stream of committed outbox events this instance must fan out to its sockets.
///
/// In order of commit, each event once. `SQLiteEventFeed` tails the outbox in-process;
/// `PostgresEventFeed` listens for the ids other instances (and this one) NOTIFY.
public protocol EventFeed: Sendable {
    /// Runs until cancelled, handing each batch of newly committed events to `deliver`.
    func run(deliver: @escaping @Sendable ([StoredEvent]) async -> Void) async throws
}
