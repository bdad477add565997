import NIOCore
import NIOWebSocket
import ParleyRealtime

/// A socket's life: opened after the handshake, commands run one at a time in arrival order by a
/// worker task that exists only while there is work (an idle socket has none), ended once for the
/// first reason, and closed with that reason's code.
extension RealtimeSession {
    enum Job: Sendable {
        case open(page: String?)
        case command(String)
    }

    /// How a socket ends, and the close frame the server sends for it (none when the client left,
    /// or broke the protocol: the socket handler has answered that itself).
    enum Ending: Sendable {
        case clientGone, broken, serverError, tooSlow, revoked, abusive, goingAway

        var closeFrame: (code: WebSocketErrorCode, reason: String)? {
            switch self {
            case .clientGone, .broken: nil
            case .serverError: (.unexpectedServerError, "server error")
            case .tooSlow: (.unknown(4008), "too slow: outbound queue full")
            case .revoked: (.unknown(4001), "access revoked")
            case .abusive: (.unknown(4029), "too many commands")
            case .goingAway: (.goingAway, "server shutting down; reconnect and resume")
            }
        }

        /// Whether frames queued before the end still go out: the acks and rate-limit errors a
        /// flooder earned, say, but nothing for a client that fell behind or lost its access.
        var sendsQueuedFrames: Bool {
            self != .tooSlow && self != .revoked
        }
    }

    /// Commands waiting beyond this pause reading from the socket until the worker is down to half.
    static let maxWaitingCommands = 32

    /// Starts the socket: its presence (and a visitor's view of agent availability) come before
    /// any command.
    func open(page: String?) {
        state.withLock { state in
            state.jobs.append(.open(page: page))
            startWorker(&state)
        }
    }

    /// Queues a command from the client. Returns false when reading should pause.
    func submit(_ text: String) -> Bool {
        state.withLock { state in
            guard state.ending == nil else { return true }
            state.jobs.append(.command(text))
            startWorker(&state)
            guard state.jobs.count >= Self.maxWaitingCommands else { return true }
            state.readingPaused = true
            return false
        }
    }

    /// Ends the socket (the first reason wins): nothing more is sent or run, a command in flight is
    /// cancelled, and once the worker is done the departure is recorded, then the close frame goes
    /// out (so a client that sees it can rely on its presence being gone).
    func end(_ reason: Ending) {
        let worker: Task<Void, Never>?? = state.withLock { state in
            guard state.ending == nil else { return .none }
            state.ending = reason
            state.jobs = []
            return .some(state.worker)
        }
        guard case .some(let worker) = worker else { return }
        outbox.close(discardingQueued: !reason.sendsQueuedFrames)
        hub.remove(self)
        worker?.cancel()
        switch reason {
        case .tooSlow: logger.notice("closing a WebSocket that stopped reading", metadata: ["queue_bytes": "\(services.config.realtimeQueueBytes)"])
        case .abusive: logger.notice("closing a WebSocket that kept exceeding the rate limit")
        default: break
        }
        // A fresh task: the worker's is cancelled, and the departure must still reach the database.
        Task {
            await worker?.value
            await recordDeparture()
            if let (code, text) = reason.closeFrame {
                onSocketHandler { $0.close(code: code, reason: text) }
            }
            gateway.sockets.remove(self)
        }
    }

    /// Pings the client, from the keep-alive sweep.
    func keepAlive() {
        onSocketHandler { $0.keepAlive() }
    }

    /// Runs `body` with the socket's protocol handler, on its event loop (nothing if it is gone).
    private func onSocketHandler(_ body: @escaping @Sendable (RealtimeSocketHandler) -> Void) {
        let channel = channel
        channel.eventLoop.execute {
            if let handler = try? channel.pipeline.syncOperations.handler(type: RealtimeSocketHandler.self) { body(handler) }
        }
    }

    private func startWorker(_ state: inout State) {
        guard state.worker == nil else { return }
        state.worker = Task { await work() }
    }

    private func work() async {
        while let job = nextJob() {
            do {
                switch job {
                case .open(let page): try await arrive(page: page)
                case .command(let text): try await handle(text)
                }
            } catch is ParticipantRevoked {
                end(.revoked)
            } catch is Abusive {
                end(.abusive)
            } catch {
                if !Task.isCancelled { logger.error("could not open the WebSocket", metadata: ["error": "\(error)"]) }
                end(.serverError)
            }
        }
    }

    /// The next job, or nil (and the worker gone) when there is none or the socket is ending.
    private func nextJob() -> Job? {
        let (job, resumeReading) = state.withLock { state -> (Job?, Bool) in
            guard state.ending == nil, !state.jobs.isEmpty else {
                state.worker = nil
                return (nil, false)
            }
            let job = state.jobs.removeFirst()
            guard state.readingPaused, state.jobs.count <= Self.maxWaitingCommands / 2 else { return (job, false) }
            state.readingPaused = false
            return (job, true)
        }
        if resumeReading { channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in } }
        return job
    }

    private func arrive(page: String?) async throws {
        try await setPresence(online: true, page: page)
        if case .visitor(let visitor) = participant {
            // The widget hears whether any agent is there now, and again whenever that may change.
            hub.joinLobby(self, orgID: visitor.orgID)
            receiveEphemeral(WireFrame(text: try await presence.availabilityFrame(orgID: visitor.orgID)))
        }
    }

    private func recordDeparture() async {
        hub.remove(self)  // again: a subscription made by a command that was still running when the socket ended
        do {
            try await setPresence(online: false, page: nil)
        } catch {
            logger.error("could not record the socket's departure; its presence row will expire", metadata: ["error": "\(error)"])
        }
    }

    private func setPresence(online: Bool, page: String?) async throws {
        switch participant {
        case .member(_, let scope):
            try await presence.set(scope, connectionID: sinkID, status: online ? .online : .offline)
        case .visitor(let visitor):
            try await presence.set(visitor, connectionID: sinkID, online: online, page: page)
        }
    }
}
