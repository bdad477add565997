import DequeModule

/// A first-in first-out async lock: SQLite allows one transaction per connection, so every
/// caller of a connection waits its turn here instead of interleaving statements.
actor AsyncMutex {
    private var isLocked = false
    private var waiters = Deque<CheckedContinuation<Void, Never>>()

    func withLock<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        await lock()
        do {
            let result = try await body()
            unlock()
            return result
        } catch {
            unlock()
            throw error
        }
    }

    private func lock() async {
        if !isLocked {
            isLocked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func unlock() {
        if let next = waiters.popFirst() {
            next.resume()  // ownership passes straight to the next waiter
        } else {
            isLocked = false
        }
    }
}
