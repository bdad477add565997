import Foundation
import ParleyCore
import ParleyStore
import ServiceLifecycle
import Synchronization

/// This instance's open sockets, so a graceful shutdown can tell each one to go away (1001) and
/// wait for them before the HTTP server stops.
public final class SocketRegistry: Sendable {
    private struct State {
        var sessions: [ObjectIdentifier: RealtimeSession] = [:]
        var drained: [CheckedContinuation<Void, Never>] = []
        /// Set by `closeAll`: a socket that opens during the shutdown goes away at once too.
        var draining = false
    }

    private let state = Mutex(State())

    public init() {}

    public var count: Int { state.withLock { $0.sessions.count } }

    func add(_ session: RealtimeSession) {
        let draining = state.withLock { state in
            state.sessions[ObjectIdentifier(session)] = session
            return state.draining
        }
        if draining { session.end(.goingAway) }
    }

    func remove(_ session: RealtimeSession) {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.sessions[ObjectIdentifier(session)] = nil
            guard state.sessions.isEmpty else { return [] }
            defer { state.drained = [] }
            return state.drained
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Closes (4001) the sockets of members named by `member.removed` events and of visitors of
    /// sites named by `site.deleted`; called before the events are delivered, so whoever lost
    /// access is cut off at once, not at their next command. (A member added back just reconnects.)
    public func revokeLostAccess(_ events: [StoredEvent]) {
        let lost = Set(events.lazy.compactMap(LostAccess.init))
        guard !lost.isEmpty else { return }
        let sessions = state.withLock { Array($0.sessions.values) }
        for session in sessions where lost.contains(LostAccess(session.participant)) {
            session.end(.revoked)
        }
    }

    /// A member of an organization, or every visitor of one of its sites.
    private enum LostAccess: Hashable {
        case member(orgID: String, userID: String)
        case site(orgID: String, siteID: String)

        /// Nil for every other event (nearly all of them: this runs for each one, so it decodes nothing then).
        init?(_ event: StoredEvent) {
            switch event.type {
            case EventType.memberRemoved:
                guard let removal = Self.decode(MemberRemoval.self, event) else { return nil }
                self = .member(orgID: event.orgId, userID: removal.userId)
            case EventType.siteDeleted:
                guard let deletion = Self.decode(SiteDeletion.self, event) else { return nil }
                self = .site(orgID: event.orgId, siteID: deletion.siteId)
            default:
                return nil
            }
        }

        private static func decode<T: Decodable>(_ type: T.Type, _ event: StoredEvent) -> T? {
            try? JSONCoding.makeDecoder().decode(type, from: Data(event.payload.utf8))
        }

        init(_ participant: RealtimeParticipant) {
            switch participant {
            case .member(let identity, let scope): self = .member(orgID: scope.orgID, userID: identity.userID)
            case .visitor(let visitor): self = .site(orgID: visitor.orgID, siteID: visitor.siteID)
            }
        }
    }

    private struct MemberRemoval: Decodable { let userId: String }
    private struct SiteDeletion: Decodable { let siteId: String }

    /// Pings every socket, closing those that did not answer the previous round.
    func keepAlive() {
        let sessions = state.withLock { Array($0.sessions.values) }
        for session in sessions { session.keepAlive() }
    }

    /// Asks every socket to close with 1001 and returns when all are gone (their departures
    /// recorded), or after `timeout`.
    func closeAll(within timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.closeAll() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func closeAll() async {
        let sessions = state.withLock { state in
            state.draining = true
            return Array(state.sessions.values)
        }
        for session in sessions { session.end(.goingAway) }
        await withCheckedContinuation { continuation in
            let empty = state.withLock { state in
                if state.sessions.isEmpty { return true }
                state.drained.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}

/// Runs beside the HTTP server, listed after it so that a graceful shutdown reaches it first: it
/// closes every WebSocket with 1001 "going away" (clients reconnect to another instance and
/// resume), then lets the server drain.
public struct RealtimeDrainService: Service {
    let sockets: SocketRegistry
    /// Sockets still open after this are left to the server's own shutdown.
    let timeout: Duration

    public init(sockets: SocketRegistry, timeout: Duration = .seconds(5)) {
        self.sockets = sockets
        self.timeout = timeout
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await sockets.closeAll(within: timeout)
    }
}

/// Pings every socket every `interval` from one task (rather than a timer per socket), and closes
/// those that sent nothing since the previous ping: a client that vanished without a FIN.
public struct RealtimeKeepAliveService: Service {
    let sockets: SocketRegistry
    let interval: Duration

    public init(sockets: SocketRegistry, interval: Duration) {
        self.sockets = sockets
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                sockets.keepAlive()
            }
        }
    }
}
