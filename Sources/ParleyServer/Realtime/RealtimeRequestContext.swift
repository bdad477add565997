import Hummingbird
import NIOCore
import HummingbirdWebSocket
import ParleyStore

/// Context of a WebSocket handshake: the participant proven before upgrading.
public struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket = WebSocketHandlerReference<Self>()
    var participant: RealtimeParticipant?
    /// A visitor's current page, if the handshake named it.
    var page: String?

    /// The connection itself: after the upgrade, event frames are written to it directly.
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
