import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A load-generator WebSocket: a NIO channel with one handler that hands each text frame's bytes
/// to a callback on the event loop. No task and no async iteration per frame, so the generator,
/// which shares the two cores with the server, stays cheap next to what it measures.
final class LeanWebSocket: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects to `ws://127.0.0.1:port/path` and completes the upgrade; `onText` runs on the
    /// channel's event loop for every text frame.
    static func connect(port: Int, path: String, group: any EventLoopGroup,
                        onText: @escaping @Sendable (ByteBuffer) -> Void) async throws -> LeanWebSocket {
        let upgraded = group.any().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                let request = UpgradeRequest(path: path, host: "127.0.0.1:\(port)", failed: upgraded)
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20, automaticErrorHandling: true) { channel, _ in
                    // The HTTP side is done: frames from here on go to the frame handler alone.
                    channel.pipeline.removeHandler(request)
                        .flatMap { channel.pipeline.addHandler(FrameHandler(onText: onText)) }
                        .map { upgraded.succeed() }
                }
                let upgrade: NIOHTTPClientUpgradeConfiguration = (upgraders: [upgrader], completionHandler: { _ in })
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: upgrade).flatMap {
                    channel.pipeline.addHandler(request)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await upgraded.futureResult.get()
        return LeanWebSocket(channel: channel)
    }

    /// Sends one masked text frame (clients must mask).
    func send(_ text: String) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text))
        channel.writeAndFlush(frame, promise: nil)
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Writes the upgrade request once connected.
    private final class UpgradeRequest: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart
        let path: String
        let host: String
        let failed: EventLoopPromise<Void>

        init(path: String, host: String, failed: EventLoopPromise<Void>) {
            self.path = path
            self.host = host
            self.failed = failed
        }

        func channelActive(context: ChannelHandlerContext) {
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: ["Host": host, "Content-Length": "0"])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.fireChannelActive()
        }

        /// Any HTTP response reaching here means the server refused the upgrade.
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(let head) = unwrapInboundIn(data) {
                failed.fail(BenchError("WebSocket upgrade refused: \(head.status)"))
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            failed.fail(error)
            context.close(promise: nil)
        }
    }

    private final class FrameHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        let onText: @Sendable (ByteBuffer) -> Void

        init(onText: @escaping @Sendable (ByteBuffer) -> Void) {
            self.onText = onText
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            switch frame.opcode {
            case .text: onText(frame.unmaskedData)
            case .ping:
                let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
                context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
            case .connectionClose: context.close(promise: nil)
            default: break
            }
        }
    }
}
