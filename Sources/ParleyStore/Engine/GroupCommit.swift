import Synchronization

/// Group commit: writes that arrive for a key (an organization) while `maxWriters` writes of that
/// key are in flight wait, and are then written together, in arrival order, by one `write` call.
///
/// Every write of an organization's events serializes on one row (its event cursor) until commit,
/// so one statement carrying several messages costs that row, the NOTIFY lock and the commit once
/// instead of once each. At a light load every batch holds one item and nothing waits; under a
/// burst (or when the database stalls) the batch grows to absorb it, which is what keeps the tail
/// latency flat.
///
/// A key has at most `maxWriters` writes in flight, each on an unstructured task that lives while
/// items are waiting, so a caller's cancellation (a socket closing) never abandons other callers'
/// items mid-batch. More than one writer lets a batch's round trip and parse overlap the previous
/// batch's time under the lock.
final class GroupCommit<Item: Sendable, Output: Sendable>: Sendable {
    /// Writes one batch and answers each item, in order.
    typealias Write = @Sendable (_ key: String, _ items: [Item]) async -> [Result<Output, any Error>]

    private struct Waiter: Sendable {
        let item: Item
        let answer: CheckedContinuation<Result<Output, any Error>, Never>
    }

    private struct Queue {
        var waiting: [Waiter] = []
        var writers = 0
    }

    /// Per key with writers running: the items waiting for one.
    private let queues = Mutex<[String: Queue]>([:])
    private let maxBatch: Int
    private let maxWriters: Int
    private let write: Write

    init(maxBatch: Int, maxWriters: Int, write: @escaping Write) {
        precondition(maxBatch > 0 && maxWriters > 0)
        self.maxBatch = maxBatch
        self.maxWriters = maxWriters
        self.write = write
    }

    /// Writes `item` with whatever else is waiting for `key`, and returns its answer.
    func submit(_ item: Item, key: String) async throws -> Output {
        try await withCheckedContinuation { answer in
            let startsWriter = queues.withLock { queues in
                var queue = queues[key, default: Queue()]
                defer { queues[key] = queue }
                queue.waiting.append(Waiter(item: item, answer: answer))
                guard queue.writers < maxWriters else { return false }
                queue.writers += 1
                return true
            }
            if startsWriter { Task { await self.drain(key) } }
        }.get()
    }

    /// Items of `key` waiting for a writer (not those being written).
    func waitingCount(for key: String) -> Int {
        queues.withLock { $0[key]?.waiting.count ?? 0 }
    }

    private func drain(_ key: String) async {
        while let batch = nextBatch(key) {
            let results = await write(key, batch.map(\.item))
            precondition(results.count == batch.count, "a group write answers every item")
            for (waiter, result) in zip(batch, results) { waiter.answer.resume(returning: result) }
        }
    }

    /// The next items of `key`, oldest first; nil, with this writer retired, when none are waiting.
    private func nextBatch(_ key: String) -> [Waiter]? {
        queues.withLock { queues in
            guard var queue = queues[key] else { preconditionFailure("a writer runs for a key it registered") }
            guard !queue.waiting.isEmpty else {
                queue.writers -= 1
                queues[key] = queue.writers == 0 ? nil : queue
                return nil
            }
            let batch = Array(queue.waiting.prefix(maxBatch))
            queue.waiting.removeFirst(batch.count)
            queues[key] = queue
            return batch
        }
    }
}
