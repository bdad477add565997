import ParleyStore

/// SQLite: one process owns the database, and its single writer assigns event ids in commit
/// order, so tailing `events` by id after every commit sees each event exactly once, in order.
public struct SQLiteEventFeed: EventFeed {
    let store: ParleyStore
    let commits: CommitSignal
    let batchSize: Int

    public init(store: ParleyStore, commits: CommitSignal, batchSize: Int = 500) {
        self.store = store
        self.commits = commits
        self.batchSize = batchSize
    }

    public func run(deliver: @escaping @Sendable ([StoredEvent]) async -> Void) async throws {
        // Subscribe before reading the starting point, so a commit in between is not missed.
        let wakeUps = commits.commits()
        var lastID = try await store.latestEventID()
        for await _ in wakeUps {
            while true {
                let batch = try await store.events(afterID: lastID, limit: batchSize)
                guard let last = batch.last else { break }
                lastID = last.id
                await deliver(batch)
                if batch.count < batchSize { break }
            }
        }
    }
}
