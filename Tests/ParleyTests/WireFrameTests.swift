import NIOCore
import NIOEmbedded
import NIOWebSocket
import ParleyRealtime
import Testing

@Suite("Wire frames")
struct WireFrameTests {
    @Test("a pre-framed text frame is read back whole by a WebSocket decoder at every length encoding",
          arguments: [0, 1, 125, 126, 65_535, 65_536, 200_000])
    func decodes(length: Int) throws {
        let text = String(repeating: "é", count: length / 2) + (length % 2 == 1 ? "a" : "")
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 20)))
        try channel.writeInbound(WireFrame(text: text).bytes)
        let frame = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(frame.fin && frame.opcode == .text && frame.maskKey == nil)
        #expect(String(buffer: frame.data) == text)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
    }
}
