import NIOCore

/// A complete WebSocket text frame as it goes on the wire. Server frames are not masked, so the
/// same bytes serve every socket: an event is framed once and each socket's write shares the
/// buffer instead of adding its own header.
public struct WireFrame: Sendable {
    public let bytes: ByteBuffer

    public init(text payload: ByteBuffer) {
        var frame = ByteBuffer()
        frame.reserveCapacity(payload.readableBytes + 10)
        frame.writeInteger(UInt8(0x81))  // FIN + text
        switch payload.readableBytes {
        case ..<126: frame.writeInteger(UInt8(payload.readableBytes))
        case ...Int(UInt16.max):
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(payload.readableBytes))
        default:
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(payload.readableBytes))
        }
        frame.writeImmutableBuffer(payload)
        bytes = frame
    }

    public init(text: String) {
        self.init(text: ByteBuffer(string: text))
    }
}
