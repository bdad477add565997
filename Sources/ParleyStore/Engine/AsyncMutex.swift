import DequeModule
import Synchronization

/// A first-in first-out async lock: SQLite allows one transaction per connection, so every
/// caller of a connection waits its turn here instead of interleaving statements.
///
/// Not an actor on purpose: an actor's `withLock` would run the caller's body on the actor's
/// executor, which need not be the thread the caller asked for with `withTaskExecutorPreference`
/// (the SQLite engine's whole point), and costs two hops per use.
final class AsyncMutex: Sendable {
    private struct State {
        var isLocked = false
        var waiters = Deque<CheckedContinuation<Void, Never>>()
    }

    private let state = Mutex(State())

    func withLock<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        await lock()
        defer { unlock() }
        return try await body()
    }

    private func lock() async {
        if tryLock() { return }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state in
                if !state.isLocked {
                    state.isLocked = true
                    return true
                }
                state.waiters.append(waiter)
                return false
            }
            if acquired { waiter.resume() }
        }
    }

    private func tryLock() -> Bool {
        state.withLock { state in
            guard !state.isLocked else { return false }
            state.isLocked = true
            return true
        }
    }

    private func unlock() {
        let next = state.withLock { state in
            // Ownership passes straight to the next waiter; the lock stays taken.
            guard let next = state.waiters.popFirst() else {
                state.isLocked = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return next
        }
        next?.resume()
    }
}
