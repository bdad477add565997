import Logging
import ParleyStore
import PostgresNIO
import Synchronization

/// PostgreSQL: every instance LISTENs on one dedicated connection. Writers NOTIFY the new event ids
/// inside their transaction, so the notice arrives after commit, in commit order; bodies are loaded
/// in batches of whatever ids piled up while the previous batch was loading, on a second connection
/// of the feed's own.
public struct PostgresEventFeed: EventFeed {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Ids announced but not loaded yet, shared by the listening and the loading task.
    private final class PendingIDs: Sendable {
        private let ids = Mutex<[Int]>([])
        func append(_ new: [Int]) { ids.withLock { $0.append(contentsOf: new) } }
        func takeAll() -> [Int] { ids.withLock { ids in defer { ids.removeAll() }; return ids } }
    }

    public func run(deliver: @escaping @Sendable ([StoredEvent]) async -> Void) async throws {
        let pending = PendingIDs()
        let logger = self.logger
        let (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await client.withConnection { listener in
            try await listener.listen(on: eventNotificationChannel) { notifications in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await client.withConnection { reader in
                            try await ParleyStore.readyEventReader(reader, logger: logger)
                            for await _ in wakeUps {
                                let ids = pending.takeAll()
                                for start in stride(from: 0, to: ids.count, by: 500) {
                                    let batch = Array(ids[start..<min(start + 500, ids.count)])
                                    await deliver(try await ParleyStore.events(ids: batch, on: reader, logger: logger))
                                }
                            }
                        }
                    }
                    for try await notification in notifications {
                        // One id per event, or a comma-separated list from a group-committed batch of messages.
                        let ids = notification.payload.split(separator: ",").compactMap { Int($0) }
                        guard !ids.isEmpty else { continue }
                        pending.append(ids)
                        wake.yield()
                    }
                    wake.finish()
                    try await group.waitForAll()
                }
            }
        }
    }
}
