import NIOCore
import NIOWebSocket
import Synchronization

/// A socket's outbound side. Frames are written straight into the NIO channel on its event loop
/// (no task, no async writer per socket), and every frame that arrives before the loop gets to it
/// goes out with the same flush, so a burst costs one wake-up and one system call.
///
/// Memory is bounded by bytes, not hope: when more than `limitBytes` wait in the channel because
/// the client stopped reading, the `onOverflow` handler is called and nothing more is accepted.
final class SocketOutbox: Sendable {
    private struct Pending {
        var frames: [ByteBuffer] = []
        var drainScheduled = false
        var closed = false
    }

    private let channel: any Channel
    private let limitBytes: Int
    private let pending = Mutex(Pending())
    private let overflowHandler = Mutex<(@Sendable () -> Void)?>(nil)

    init(channel: any Channel, limitBytes: Int) {
        self.channel = channel
        self.limitBytes = limitBytes
    }

    /// Called once, on the event loop, when the client falls too far behind.
    func onOverflow(_ handler: @escaping @Sendable () -> Void) {
        overflowHandler.withLock { $0 = handler }
    }

    /// Queues one text frame (already-encoded JSON); never blocks.
    func send(_ text: ByteBuffer) {
        let schedule = pending.withLock { pending -> Bool in
            guard !pending.closed else { return false }
            pending.frames.append(text)
            defer { pending.drainScheduled = true }
            return !pending.drainScheduled
        }
        if schedule { channel.eventLoop.execute { self.drain() } }
    }

    /// Accepts nothing more (before the close frame is written, so nothing follows it).
    func close() {
        pending.withLock { pending in
            pending.closed = true
            pending.frames = []
        }
    }

    private func drain() {
        let frames = pending.withLock { pending -> [ByteBuffer] in
            pending.drainScheduled = false
            defer { pending.frames = [] }
            return pending.closed ? [] : pending.frames
        }
        guard !frames.isEmpty, channel.isActive else { return }
        for frame in frames {
            channel.write(WebSocketFrame(fin: true, opcode: .text, data: frame), promise: nil)
        }
        channel.flush()
        if let waiting = try? channel.syncOptions?.getOption(.bufferedWritableBytes), waiting > limitBytes {
            close()
            overflowHandler.withLock { $0 }?()
        }
    }
}
