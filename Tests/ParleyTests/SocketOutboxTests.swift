import NIOCore
import NIOEmbedded
import NIOWebSocket
import ParleyRealtime
@testable import ParleyServer
import Testing

/// The outbound queue of one socket, on an embedded event loop: drains happen exactly when the
/// test runs the loop, as they would when a busy loop gets to them late.
@Suite("Socket outbox")
struct SocketOutboxTests {
    private func connectedOutbox() throws -> (EmbeddedChannel, SocketOutbox) {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        return (channel, SocketOutbox(channel: channel, limitBytes: 1 << 20))
    }

    private func written(_ channel: EmbeddedChannel) throws -> [ByteBuffer] {
        channel.embeddedEventLoop.run()
        var frames: [ByteBuffer] = []
        while let frame = try channel.readOutbound(as: ByteBuffer.self) { frames.append(frame) }
        return frames
    }

    @Test("frames queued before a close still go out, in order; nothing sent after it does")
    func closeKeepsQueued() throws {
        let (channel, outbox) = try connectedOutbox()
        let frames = ["ack 1", "rate-limited", "after the close"].map { WireFrame(text: $0) }
        outbox.send(frames[0])
        outbox.send(frames[1])
        outbox.close(discardingQueued: false)
        outbox.send(frames[2])
        #expect(try written(channel) == [frames[0].bytes, frames[1].bytes])
    }

    @Test("a discarding close drops what waits")
    func closeDiscards() throws {
        let (channel, outbox) = try connectedOutbox()
        outbox.send(WireFrame(text: "queued for a client that fell behind"))
        outbox.close(discardingQueued: true)
        #expect(try written(channel).isEmpty)
    }
}
