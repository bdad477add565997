import Hummingbird
import HummingbirdWebSocket
import Logging
import ParleyRealtime
import ParleyStore

/// The `/ws` endpoint: authenticates the handshake, then runs a `RealtimeSession` per socket.
///
/// Close codes: 1000 normal, 1001 server shutting down, 1009 frame too large, 4001 membership
/// revoked (or visitor deleted), 4008 too slow (the outbound queue overflowed), 4029 kept exceeding
/// the rate limit. See docs/realtime.md.
struct RealtimeGateway: Sendable {
    let services: ParleyServices
    let hub: Hub
    let ephemeral: any EphemeralBus
    let presence: PresenceTracker
    let orgLimiter: KeyedRateLimiter
    let sockets: SocketRegistry

    static let maxFrameSize = 64 * 1024

    func router() -> Router<RealtimeRequestContext> {
        let router = Router(context: RealtimeRequestContext.self)
        router.group("ws")
            .add(middleware: RealtimeAuthMiddleware(services: services))
            .ws { inbound, outbound, context in
                try await run(inbound: inbound, outbound: outbound, context: context.requestContext, logger: context.logger)
            }
        return router
    }

    private func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: RealtimeRequestContext,
                     logger: Logger) async throws {
        guard let participant = context.participant else { return }
        let session = RealtimeSession(participant: participant, services: services, hub: hub, ephemeral: ephemeral,
                                      presence: presence, orgLimiter: orgLimiter, channel: context.channel, logger: logger)
        sockets.add(session)
        defer {
            hub.remove(session)
            sockets.remove(session)
        }
        try await setPresence(of: session, online: true, page: context.page)
        if case .visitor(let visitor) = participant {
            // The widget hears whether any agent is there now, and again whenever that may change.
            hub.joinLobby(session, orgID: visitor.orgID)
            session.receiveEphemeral(WireFrame(text: try await presence.availabilityFrame(orgID: visitor.orgID)))
        }
        let ending = try await withThrowingTaskGroup(of: RealtimeSession.Ending.self) { group in
            group.addTask {
                for await _ in session.stopped.stream {}
                return session.stopReason ?? .clientGone
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: Self.maxFrameSize) {
                        guard case .text(let text) = message else { continue }
                        try await session.handle(text)
                    }
                } catch is ParticipantRevoked {
                    return .revoked
                } catch is Abusive {
                    return .abusive
                }
                return .clientGone
            }
            // The first to finish decides: the client left or misbehaved, or the server stopped the session.
            let first = try await group.next() ?? .clientGone
            group.cancelAll()
            return first
        }
        session.closeOutbox()
        hub.remove(session)  // now, not after the close handshake: nothing more is queued for this socket
        do {
            try await setPresence(of: session, online: false, page: nil)
        } catch {
            logger.error("could not record the socket's departure; its presence row will expire", metadata: ["error": "\(error)"])
        }
        switch ending {
        case .clientGone: return
        case .tooSlow:
            logger.notice("closing a WebSocket that stopped reading", metadata: ["queue_bytes": "\(services.config.realtimeQueueBytes)"])
            try await close(outbound, code: 4008, reason: "too slow: outbound queue full")
        case .revoked:
            try await close(outbound, code: 4001, reason: "access revoked")
        case .abusive:
            logger.notice("closing a WebSocket that kept exceeding the rate limit")
            try await close(outbound, code: 4029, reason: "too many commands")
        case .goingAway:
            try await close(outbound, code: 1001, reason: "server shutting down; reconnect and resume")
        }
    }

    private func setPresence(of session: RealtimeSession, online: Bool, page: String?) async throws {
        switch session.participant {
        case .member(_, let scope):
            try await presence.set(scope, connectionID: session.sinkID, status: online ? .online : .offline)
        case .visitor(let visitor):
            try await presence.set(visitor, connectionID: session.sinkID, online: online, page: page)
        }
    }

    /// Sends a close frame, but gives up after a moment: a client that stopped reading may never
    /// take it, and the connection is torn down when the handler returns anyway.
    private func close(_ outbound: WebSocketOutboundWriter, code: UInt16, reason: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await outbound.close(code == 1001 ? .goingAway : .unknown(code), reason: reason) }
            group.addTask { try await Task.sleep(for: .seconds(2)) }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
