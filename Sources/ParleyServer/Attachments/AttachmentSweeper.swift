import Foundation
import Logging
import ParleyCore
import ParleyStore

/// Removes attachment bytes no message holds any more: those of deleted messages, and those whose
/// rows went with a deleted conversation or site (rows cascade, files do not). Files of
/// organizations the database does not know are left alone (see `unheldAttachmentKeys`).
/// Files younger than `grace` are left alone: an upload stores its bytes a moment before the
/// message that names them commits.
public struct AttachmentSweeper: Sendable {
    let store: ParleyStore
    let storage: any AttachmentStorage
    let clock: any WallClock
    let logger: Logger
    let grace: TimeInterval

    public init(store: ParleyStore, storage: any AttachmentStorage, clock: any WallClock, logger: Logger, grace: TimeInterval = 3600) {
        self.store = store
        self.storage = storage
        self.clock = clock
        self.logger = logger
        self.grace = grace
    }

    /// Keys looked up per query.
    private static let batch = 500

    /// One pass; returns how many files were removed.
    @discardableResult
    public func sweep() async throws -> Int {
        let candidates = try await storage.keys(writtenBefore: clock.now().addingTimeInterval(-grace))
        var removed = 0
        for start in stride(from: 0, to: candidates.count, by: Self.batch) {
            let keys = Array(candidates[start..<min(start + Self.batch, candidates.count)])
            for key in try await store.unheldAttachmentKeys(among: keys) {
                try await storage.delete(key: key)
                removed += 1
            }
        }
        if removed > 0 { logger.info("attachment sweep", metadata: ["removed": "\(removed)"]) }
        return removed
    }

    /// Sweeps every `interval` until cancelled; a failed pass is logged and retried next time.
    func run(every interval: TimeInterval) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(interval))
                try await sweep()
            } catch is CancellationError {
                return
            } catch {
                logger.error("attachment sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
