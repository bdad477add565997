import Hummingbird
import HummingbirdWebSocket
import ParleyStore

/// Context of a WebSocket handshake: the identity and organization scope proven before upgrading.
public struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket = WebSocketHandlerReference<Self>()
    var identity: Identity?
    var scope: TenantScope?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
