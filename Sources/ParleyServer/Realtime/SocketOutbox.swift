import NIOCore
import NIOWebSocket
import ParleyRealtime
import Synchronization

/// A socket's outbound side. Frames arrive already framed (`WireFrame`) and are written straight
/// into the NIO channel on its event loop, below the WebSocket encoder (no task, no async writer,
/// no per-socket header). Every frame that arrives before the loop gets to it goes out with the
/// same flush, and the loop's `LoopDrain` serves all its sockets in one wake-up.
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
    private let loopDrain: LoopDrain
    private let limitBytes: Int
    private let pending = Mutex(Pending())
    private let overflowHandler = Mutex<(@Sendable () -> Void)?>(nil)

    init(channel: any Channel, limitBytes: Int) {
        self.channel = channel
        self.loopDrain = LoopDrain.serving(channel.eventLoop)
        self.limitBytes = limitBytes
    }

    /// Called once, on the event loop, when the client falls too far behind.
    func onOverflow(_ handler: @escaping @Sendable () -> Void) {
        overflowHandler.withLock { $0 = handler }
    }

    /// Queues one frame; never blocks.
    func send(_ frame: WireFrame) {
        let schedule = pending.withLock { pending -> Bool in
            guard !pending.closed else { return false }
            pending.frames.append(frame.bytes)
            defer { pending.drainScheduled = true }
            return !pending.drainScheduled
        }
        if schedule { loopDrain.schedule(self) }
    }

    /// Accepts nothing more (before the close frame is written, so nothing follows it). Frames
    /// already queued still go out ahead of the close frame (their drain is queued on the loop
    /// first) unless `discardingQueued`: a client that fell behind or lost its access gets none.
    func close(discardingQueued: Bool) {
        pending.withLock { pending in
            pending.closed = true
            if discardingQueued { pending.frames = [] }
        }
    }

    /// Writes what is waiting; runs on the channel's event loop.
    fileprivate func drain() {
        let frames = pending.withLock { pending -> [ByteBuffer] in
            pending.drainScheduled = false
            defer { pending.frames = [] }
            return pending.frames
        }
        // Written from the encoder's own context, the bytes go to the handlers below it: they are a
        // finished frame already. Without the encoder the socket is closing, and nothing is sent.
        guard !frames.isEmpty, channel.isActive,
            let encoder = try? channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self) else { return }
        for frame in frames {
            encoder.write(NIOAny(frame), promise: nil)
        }
        encoder.flush()
        if let waiting = try? channel.syncOptions?.getOption(.bufferedWritableBytes), waiting > limitBytes {
            close(discardingQueued: true)
            overflowHandler.withLock { $0 }?()
        }
    }
}

/// Drains the outboxes of one event loop with one task per burst: an event for 50 sockets costs
/// each loop one wake-up, not one per socket.
final class LoopDrain: Sendable {
    private struct Waiting {
        var outboxes: [SocketOutbox] = []
        var scheduled = false
    }

    private let loop: any EventLoop
    private let waiting = Mutex(Waiting())

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    private static let drains = Mutex<[ObjectIdentifier: LoopDrain]>([:])

    /// The drain of `loop` (event loops live as long as the process, and so do their drains).
    static func serving(_ loop: any EventLoop) -> LoopDrain {
        drains.withLock { drains in
            if let drain = drains[ObjectIdentifier(loop)] { return drain }
            let drain = LoopDrain(loop: loop)
            drains[ObjectIdentifier(loop)] = drain
            return drain
        }
    }

    fileprivate func schedule(_ outbox: SocketOutbox) {
        let first = waiting.withLock { waiting -> Bool in
            waiting.outboxes.append(outbox)
            defer { waiting.scheduled = true }
            return !waiting.scheduled
        }
        if first { loop.execute { self.run() } }
    }

    private func run() {
        let outboxes = waiting.withLock { waiting -> [SocketOutbox] in
            waiting.scheduled = false
            defer { waiting.outboxes = [] }
            return waiting.outboxes
        }
        for outbox in outboxes { outbox.drain() }
    }
}
