import Logging
import ParleyStore
import PostgresNIO
import Synchronization

/// PostgreSQL: every instance LISTENs on one dedicated connection. Writers NOTIFY the new event id
/// inside their transaction, so the notice arrives after commit, in commit order; bodies are loaded
/// in batches of whatever ids piled up while the previous batch was loading.
public struct PostgresEventFeed: EventFeed {
    let client: PostgresClient
    let store: ParleyStore

    public init(client: PostgresClient, store: ParleyStore) {
        self.client = client
        self.store = store
    }

    /// Ids announced but not loaded yet, shared by the listening and the loading task.
    private final class PendingIDs: Sendable {
        private let ids = Mutex<[Int]>([])
        func append(_ id: Int) { ids.withLock { $0.append(id) } }
        func takeAll() -> [Int] { ids.withLock { ids in defer { ids.removeAll() }; return ids } }
    }

    public func run(deliver: @escaping @Sendable ([StoredEvent]) async -> Void) async throws {
        let pending = PendingIDs()
        let store = self.store
        let (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await client.withConnection { connection in
            try await connection.listen(on: eventNotificationChannel) { notifications in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await _ in wakeUps {
                            let ids = pending.takeAll()
                            for start in stride(from: 0, to: ids.count, by: 500) {
                                await deliver(try await store.events(ids: Array(ids[start..<min(start + 500, ids.count)])))
                            }
                        }
                    }
                    for try await notification in notifications {
                        guard let id = Int(notification.payload) else { continue }
                        pending.append(id)
                        wake.yield()
                    }
                    wake.finish()
                    try await group.waitForAll()
                }
            }
        }
    }
}
