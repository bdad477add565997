import Hummingbird
import HummingbirdWebSocket
import Logging
import ParleyRealtime
import ParleyStore

/// The `/ws` endpoint: authenticates the handshake, then runs a `RealtimeSession` per socket.
///
/// Close codes: 1000 normal, 1001 server shutting down, 1009 frame too large, 4001 membership
/// revoked, 4008 too slow (the outbound queue overflowed). See docs/realtime.md.
struct RealtimeGateway: Sendable {
    let services: ParleyServices
    let hub: Hub
    let ephemeral: any EphemeralBus

    static let maxFrameSize = 64 * 1024
    /// Frames that may wait for a slow socket before it is closed.
    static let outboundQueueLimit = 1024

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
        let (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(Self.outboundQueueLimit))
        let session = RealtimeSession(identity: identity, orgID: scope.orgID, services: services, hub: hub,
                                      ephemeral: ephemeral, outbound: continuation, logger: logger)
        defer { hub.remove(session) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in frames { try await outbound.write(.text(text)) }
                if session.overflowed {
                    try await outbound.close(.unknown(4008), reason: "too slow: outbound queue full")
                }
            }
            do {
                for try await message in inbound.messages(maxSize: Self.maxFrameSize) {
                    guard case .text(let text) = message else { continue }
                    try await session.handle(text)
                }
            } catch is MembershipRevoked {
                continuation.finish()
                try await group.waitForAll()
                try await outbound.close(.unknown(4001), reason: "membership revoked")
                return
            }
            continuation.finish()
            group.cancelAll()
        }
    }
}
