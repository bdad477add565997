import Hummingbird
import HummingbirdWebSocket
import Logging
import ParleyRealtime
import ParleyStore

/// The `/ws` endpoint: authenticates the handshake, then runs a `RealtimeSession` per socket.
///
/// Close codes: 1000 normal, 1009 frame too large, 4001 membership revoked, 4008 too slow (the
/// outbound queue overflowed), 4029 kept exceeding the rate limit. See docs/realtime.md.
struct RealtimeGateway: Sendable {
    let services: ParleyServices
    let hub: Hub
    let ephemeral: any EphemeralBus
    let presence: PresenceTracker
    let orgLimiter: OrganizationRateLimiter

    static let maxFrameSize = 64 * 1024

    func router() -> Router<RealtimeRequestContext> {
        let router = Router(context: RealtimeRequestContext.self)
        router.group("ws")
            .add(middleware: RealtimeAuthMiddleware(authenticator: services.authenticator, store: services.store))
            .ws { inbound, outbound, context in
                try await run(inbound: inbound, outbound: outbound, context: context.requestContext, logger: context.logger)
            }
        return router
    }

    private func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: RealtimeRequestContext,
                     logger: Logger) async throws {
        guard let identity = context.identity, let scope = context.scope else { return }
        let (frames, continuation) = AsyncStream.makeStream(
            of: String.self, bufferingPolicy: .bufferingOldest(services.config.realtimeQueueLimit))
        let session = RealtimeSession(identity: identity, orgID: scope.orgID, services: services, hub: hub,
                                      ephemeral: ephemeral, presence: presence, orgLimiter: orgLimiter,
                                      outbound: continuation, logger: logger)
        defer { hub.remove(session) }
        try await presence.set(scope, connectionID: session.sinkID, status: .online)
        let ending = try await withThrowingTaskGroup(of: Ending.self) { group in
            group.addTask {
                for await text in frames { try await outbound.write(.text(text)) }
                return session.overflowed ? .tooSlow : .clientGone  // the queue only ends early on overflow
            }
            group.addTask {
                for await _ in session.overflow.stream {}
                return .tooSlow
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: Self.maxFrameSize) {
                        guard case .text(let text) = message else { continue }
                        try await session.handle(text)
                    }
                } catch is MembershipRevoked {
                    return .revoked
                } catch is Abusive {
                    return .abusive
                }
                return .clientGone
            }
            // The first to finish decides; a writer stuck on a client that stopped reading is cancelled.
            let first = try await group.next() ?? .clientGone
            group.cancelAll()
            return first
        }
        continuation.finish()
        hub.remove(session)  // now, not after the close handshake: nothing more is queued for this socket
        do {
            try await presence.set(scope, connectionID: session.sinkID, status: .offline)
        } catch {
            logger.error("could not record the socket's departure; its presence row will expire", metadata: ["error": "\(error)"])
        }
        switch ending {
        case .clientGone: return
        case .tooSlow:
            logger.notice("closing a WebSocket that stopped reading", metadata: ["queue_limit": "\(services.config.realtimeQueueLimit)"])
            try await close(outbound, code: 4008, reason: "too slow: outbound queue full")
        case .revoked:
            try await close(outbound, code: 4001, reason: "membership revoked")
        case .abusive:
            logger.notice("closing a WebSocket that kept exceeding the rate limit")
            try await close(outbound, code: 4029, reason: "too many commands")
        }
    }

    /// Sends a close frame, but gives up after a moment: a client that stopped reading may never
    /// take it, and the connection is torn down when the handler returns anyway.
    private func close(_ outbound: WebSocketOutboundWriter, code: UInt16, reason: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await outbound.close(.unknown(code), reason: reason) }
            group.addTask { try await Task.sleep(for: .seconds(2)) }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    private enum Ending: Sendable {
        case clientGone, tooSlow, revoked, abusive
    }
}
