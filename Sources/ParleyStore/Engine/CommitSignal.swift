import Synchronization

/// Tells in-process listeners that a write transaction committed. Signals coalesce: a listener
/// that is busy sees one pending wake-up however many commits happened, then reads everything new.
public final class CommitSignal: Sendable {
    private let listeners = Mutex<[Int: AsyncStream<Void>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)

    public init() {}

    /// A stream that yields after commits, until the caller stops iterating.
    public func commits() -> AsyncStream<Void> {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLock { $0.removeValue(forKey: id) }
        }
        listeners.withLock { $0[id] = continuation }
        return stream
    }

    func signal() {
        for continuation in listeners.withLock({ Array($0.values) }) {
            continuation.yield()
        }
    }
}
