import Logging
import NIOCore
import NIOWebSocket
import ParleyRealtime
import ParleyStore

/// The `/ws` endpoint's shared parts: what every socket's session works with, and the opening of a
/// socket once its handshake is admitted (`RealtimeChannel` does the HTTP side).
///
/// Close codes: 1000 normal, 1001 server shutting down (or the client stopped answering pings),
/// 1002 protocol error, 1007 text that is not UTF-8, 1009 frame or message too large, 1011 server
/// error, 4001 membership revoked (or visitor deleted), 4008 too slow (the outbound queue
/// overflowed), 4029 kept exceeding the rate limit. See docs/realtime.md.
final class RealtimeGateway: Sendable {
    let services: ParleyServices
    let hub: Hub
    let ephemeral: any EphemeralBus
    let presence: PresenceTracker
    let orgLimiter: KeyedRateLimiter
    let sockets: SocketRegistry

    static let maxFrameSize = 64 * 1024

    init(services: ParleyServices, hub: Hub, ephemeral: any EphemeralBus, presence: PresenceTracker, sockets: SocketRegistry) {
        self.services = services
        self.hub = hub
        self.ephemeral = ephemeral
        self.presence = presence
        self.orgLimiter = KeyedRateLimiter(capacity: services.config.realtimeOrgBurst, refillPerSecond: services.config.realtimeOrgRate)
        self.sockets = sockets
    }

    /// Turns an upgraded connection into a live socket: the protocol handler goes into the
    /// pipeline, and the session starts with its opening (presence) before any command.
    /// Runs on the channel's event loop, right after the upgrade response.
    func open(_ admission: RealtimeAdmission, channel: any Channel) throws {
        let session = RealtimeSession(participant: admission.participant, gateway: self, channel: channel, logger: admission.logger)
        try channel.pipeline.syncOperations.addHandler(RealtimeSocketHandler(session: session, maxMessageBytes: Self.maxFrameSize))
        sockets.add(session)
        session.open(page: admission.page)
    }
}
