import Foundation

/// Runs blocking work (a socket handshake, reading a child process's pipe) on a thread of its own.
/// Tests share Swift's cooperative pool with the in-process servers they talk to, and on a 2-core
/// machine that pool has two threads: two tests blocked in `recv` at once left the server no thread
/// to answer them with, and the whole run hung.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
