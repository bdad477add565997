import Foundation
import Logging
import ParleyCore
import ParleyStore
import Synchronization

/// Agent presence across instances: rows in the database kept fresh by this instance's heartbeat,
/// changes announced to the organization's inbox subscribers over the ephemeral bus.
public final class PresenceTracker: Sendable {
    /// A connection whose heartbeat is older than this counts as gone (its instance died).
    public static let ttl: TimeInterval = 45
    static let heartbeatInterval = Duration.seconds(15)

    private let store: ParleyStore
    private let bus: any EphemeralBus
    private let clock: any WallClock
    private let logger: Logger
    private let local = Mutex<Set<String>>([])

    public init(store: ParleyStore, bus: any EphemeralBus, clock: any WallClock, logger: Logger) {
        self.store = store
        self.bus = bus
        self.clock = clock
        self.logger = logger
    }

    private var freshAfter: Date { clock.now().addingTimeInterval(-Self.ttl) }

    /// Records a connection's status (`offline` when it closes) and announces the user's change.
    public func set(_ scope: TenantScope, connectionID: String, status: PresenceStatus) async throws {
        local.withLock { ids in
            if status == .offline { ids.remove(connectionID) } else { ids.insert(connectionID) }
        }
        if let change = try await store.setPresence(scope, connectionID: connectionID, status: status, freshAfter: freshAfter) {
            try await announce(change, from: connectionID)
        }
    }

    /// Who is online or away in the organization right now.
    public func snapshot(_ scope: TenantScope) async throws -> [String: PresenceStatus] {
        try await store.presence(scope, freshAfter: freshAfter)
    }

    /// One round of upkeep: refresh this instance's rows, then clear rows other (dead) instances left.
    public func tick() async throws {
        try await store.heartbeatPresence(connectionIDs: Array(local.withLock { $0 }))
        for change in try await store.sweepPresence(staleBefore: freshAfter) {
            try await announce(change, from: "")
        }
    }

    /// Runs `tick` every heartbeat interval until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: Self.heartbeatInterval)
                try await tick()
            } catch is CancellationError {
                return
            } catch {
                logger.error("presence upkeep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func announce(_ change: ParleyStore.PresenceChange, from connectionID: String) async throws {
        let text = #"{"type":"presence","user_id":"\#(change.userID)","status":"\#(change.status.rawValue)"}"#
        try await bus.publish(EphemeralSignal(orgID: change.orgID, conversationID: nil, senderSinkID: connectionID, text: text))
    }
}
