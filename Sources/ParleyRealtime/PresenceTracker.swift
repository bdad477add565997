import Foundation
import Logging
import ParleyCore
import ParleyStore
import Synchronization

/// Agent and visitor presence across instances: rows in the database kept fresh by this instance's
/// heartbeat, changes announced over the ephemeral bus: an agent's to the organization's inbox
/// subscribers, a visitor's also to the subscribers of the visitor's conversation.
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
            try await announceAvailability(orgID: change.orgID)
        }
    }

    /// Records a visitor connection with its current page (or its departure) and tells the agents.
    public func set(_ visitor: VisitorScope, connectionID: String, online: Bool, page: String?) async throws {
        local.withLock { ids in
            if online { ids.insert(connectionID) } else { ids.remove(connectionID) }
        }
        let presence = try await store.setPresence(visitor, connectionID: connectionID, online: online, page: page, freshAfter: freshAfter)
        try await announce(presence, from: connectionID)
    }

    /// Who is online or away in the organization right now.
    public func snapshot(_ scope: TenantScope) async throws -> [String: PresenceStatus] {
        try await store.presence(scope, freshAfter: freshAfter)
    }

    /// The visitors connected right now, with the page each is on.
    public func visitorSnapshot(_ scope: TenantScope) async throws -> [String: String?] {
        try await store.visitorPresence(scope, freshAfter: freshAfter)
    }

    /// One round of upkeep: refresh this instance's rows, then clear rows other (dead) instances left.
    public func tick() async throws {
        try await store.heartbeatPresence(connectionIDs: Array(local.withLock { $0 }))
        let gone = try await store.sweepPresence(staleBefore: freshAfter)
        for change in gone.members { try await announce(change, from: "") }
        for orgID in Set(gone.members.map(\.orgID)) { try await announceAvailability(orgID: orgID) }
        for visitor in gone.visitors { try await announce(visitor, from: "") }
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

    /// `{"type":"agents","online":…}`: whether any agent of the organization is online, for its
    /// visitors' widgets (sent when a visitor socket opens and after every agent change).
    public func availabilityFrame(orgID: String) async throws -> String {
        #"{"type":"agents","online":\#(try await store.agentsOnline(orgID: orgID, freshAfter: freshAfter))}"#
    }

    private func announceAvailability(orgID: String) async throws {
        try await bus.publish(EphemeralSignal(orgID: orgID, conversationID: nil, senderSinkID: "",
                                              text: try await availabilityFrame(orgID: orgID), visitors: true))
    }

    private func announce(_ change: ParleyStore.PresenceChange, from connectionID: String) async throws {
        let text = #"{"type":"presence","user_id":"\#(change.userID)","status":"\#(change.status.rawValue)"}"#
        try await bus.publish(EphemeralSignal(orgID: change.orgID, conversationID: nil, senderSinkID: connectionID, text: text))
    }

    private func announce(_ visitor: VisitorPresence, from connectionID: String) async throws {
        let conversation = visitor.conversationID.map { #""\#($0)""# } ?? "null"
        let page = visitor.page.map { #""\#(JSONText.escape($0))""# } ?? "null"
        let text = #"{"type":"presence","visitor_id":"\#(visitor.visitorID)","conversation_id":\#(conversation),"#
            + #""status":"\#(visitor.online ? "online" : "offline")","page":\#(page)}"#
        try await bus.publish(EphemeralSignal(orgID: visitor.orgID, conversationID: visitor.conversationID, senderSinkID: connectionID,
                                              text: text, inbox: true, membersOnly: true))
    }
}
