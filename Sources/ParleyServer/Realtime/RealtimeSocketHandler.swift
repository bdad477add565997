import NIOCore
import NIOWebSocket

/// The WebSocket protocol of one socket, as a plain NIO handler on the connection's event loop:
/// no task and no async stream lives per socket, which is what keeps an idle connection small.
///
/// It reassembles fragmented text messages (at most `maxMessageBytes`, else 1009), refuses
/// invalid UTF-8 (1007), answers pings, echoes the client's close, and hands each text message
/// to the session's command queue. Frame-level violations (oversized or malformed frames) are
/// answered by NIO's `WebSocketProtocolErrorHandler` ahead of this one.
final class RealtimeSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let session: RealtimeSession
    private let maxMessageBytes: Int
    private var context: ChannelHandlerContext?
    /// The text message being reassembled from fragments, or `.binary` while one is being skipped.
    private var assembling: Assembling = .nothing
    /// Set by a keep-alive ping, cleared by any frame from the client.
    private var awaitingPong = false
    /// Set once the close frame is sent: nothing may follow it.
    private var closing = false

    /// How long the client has to answer a close frame before the connection is dropped.
    static let closeTimeout = TimeAmount.seconds(2)

    private enum Assembling {
        case nothing, text(ByteBuffer), binary
    }

    init(session: RealtimeSession, maxMessageBytes: Int) {
        self.session = session
        self.maxMessageBytes = maxMessageBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        session.end(.clientGone)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The HTTP server is shutting down: go away politely, the client reconnects elsewhere.
        if event is ChannelShouldQuiesceEvent { session.end(.goingAway) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Protocol errors were answered with a close frame by NIO's handler; anything else ends the socket too.
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        awaitingPong = false
        switch frame.opcode {
        case .text, .binary:
            guard case .nothing = assembling else {
                fail(code: .protocolError, reason: "a new message began before the fragmented one ended")
                return
            }
            if frame.opcode == .binary {
                assembling = frame.fin ? .nothing : .binary  // Parley speaks JSON text; binary messages are ignored
            } else if frame.fin {
                deliver(frame.unmaskedData)
            } else {
                assembling = .text(frame.unmaskedData)
            }
        case .continuation:
            continueMessage(frame)
        case .ping:
            guard !closing else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            session.end(.clientGone)
            if closing {
                context.close(promise: nil)  // the answer to our close: the handshake is complete
            } else {
                closing = true
                var echo = context.channel.allocator.buffer(capacity: 2)
                echo.write(webSocketErrorCode: .normalClosure)
                let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: echo)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
            }
        default:
            fail(code: .protocolError, reason: "unknown opcode")
        }
    }

    private func continueMessage(_ frame: WebSocketFrame) {
        switch assembling {
        case .nothing:
            fail(code: .protocolError, reason: "continuation without a message")
        case .binary:
            if frame.fin { assembling = .nothing }
        case .text(var message):
            var part = frame.unmaskedData
            guard message.readableBytes + part.readableBytes <= maxMessageBytes else {
                assembling = .nothing
                fail(code: .messageTooLarge, reason: "messages are limited to \(maxMessageBytes) bytes")
                return
            }
            assembling = .nothing  // keeps `message` uniquely referenced while it grows
            message.writeBuffer(&part)
            if frame.fin { deliver(message) } else { assembling = .text(message) }
        }
    }

    private func deliver(_ message: ByteBuffer) {
        guard !closing else { return }
        guard let text = String(validating: message.readableBytesView, as: UTF8.self) else {
            fail(code: .dataInconsistentWithMessage, reason: "text frames must be UTF-8")
            return
        }
        if !session.submit(text) { context?.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in } }
    }

    /// The client broke the protocol (or stopped answering): the session ends, the socket closes.
    private func fail(code: WebSocketErrorCode, reason: String) {
        session.end(.broken)
        close(code: code, reason: reason)
    }

    /// Sends a close frame (once), then waits `closeTimeout` for the client's answer before dropping
    /// the connection: a client that stopped reading may never take it.
    func close(code: WebSocketErrorCode, reason: String) {
        guard let context, !closing else { return }
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// Called by the keep-alive sweep: pings the client, and drops one that sent nothing at all
    /// (no pong, no command) since the previous sweep's ping.
    func keepAlive() {
        guard let context, !closing else { return }
        if awaitingPong {
            fail(code: .goingAway, reason: "ping timeout")
            return
        }
        awaitingPong = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())), promise: nil)
    }
}
