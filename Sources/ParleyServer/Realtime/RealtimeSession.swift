import Foundation
import Logging
import NIOCore
import ParleyCore
import ParleyRealtime
import ParleyStore
import Synchronization

/// One WebSocket: answers commands and forwards subscribed events, in order per conversation (and,
/// for an inbox feed, in the organization's commit order), with no gap and no duplicate across a
/// resume. Member and visitor commands live in their own files; this is what both share.
///
/// Every frame goes out through the socket's `SocketOutbox`, bounded in bytes: a client that does
/// not read fills it and is closed (4008) instead of growing the server's memory.
final class RealtimeSession: FrameSink {
    let sinkID = UUID().uuidString
    let participant: RealtimeParticipant
    let gateway: RealtimeGateway
    let channel: any Channel
    let logger: Logger
    let outbox: SocketOutbox
    let state: Mutex<State>

    var services: ParleyServices { gateway.services }
    var hub: Hub { gateway.hub }
    var ephemeral: any EphemeralBus { gateway.ephemeral }
    var presence: PresenceTracker { gateway.presence }

    struct State {
        /// While a replay runs (commands run one at a time, so at most one), live frames wait here
        /// and follow it, so the socket sees one ordered stream.
        var held: [EventFrame]?
        /// Highest sequence sent per conversation; anything at or below it is a duplicate.
        var lastSent: [String: Int] = [:]
        /// The inbox feed's position (organization cursor); nil until `subscribe_inbox`.
        var inboxCursor: Int?
        /// Why the socket is ending, once it is (the first reason wins); nothing is sent after.
        var ending: Ending?
        /// Work for the socket's worker, in arrival order: the opening, then commands.
        var jobs: [Job] = []
        /// The task running `jobs`; it exists only while there are some.
        var worker: Task<Void, Never>?
        /// Set while too many commands wait: the socket is not read until the worker catches up.
        var readingPaused = false
        /// When this socket last announced "typing started" per conversation (for the throttle).
        var typingSince: [String: ContinuousClock.Instant] = [:]
        var bucket: TokenBucket
        /// Commands refused for the rate limit so far; too many and the socket is closed.
        var refusals = 0
    }

    /// Refused commands after which a socket is considered abusive and closed (4029).
    static let refusalsBeforeClose = 100

    /// A client repeating "typing started" is relayed at most this often per conversation.
    static let typingThrottle = Duration.seconds(2)

    /// Rows per replay query.
    static let replayBatch = 500

    /// One decoder for every socket's commands (making one per frame showed in profiles).
    private static let commandDecoder = JSONCoding.makeDecoder()

    init(participant: RealtimeParticipant, gateway: RealtimeGateway, channel: any Channel, logger: Logger) {
        let config = gateway.services.config
        self.state = Mutex(State(bucket: TokenBucket(capacity: config.realtimeBurst, refillPerSecond: config.realtimeRate)))
        self.participant = participant
        self.gateway = gateway
        self.channel = channel
        self.logger = logger
        self.outbox = SocketOutbox(channel: channel, limitBytes: config.realtimeQueueBytes)
        outbox.onOverflow { [weak self] in self?.end(.tooSlow) }
    }

    var seesMembersOnly: Bool {
        if case .member = participant { return true }
        return false
    }

    // MARK: events

    func receive(_ frame: EventFrame) {
        state.withLock { state in
            if state.held != nil {
                state.held?.append(frame)
            } else {
                send(frame, state: &state)
            }
        }
    }

    /// Sends a frame in feed order unless this socket already has it: by the organization cursor for
    /// an inbox feed, by the conversation's sequence otherwise.
    private func send(_ frame: EventFrame, state: inout State) {
        if let cursor = state.inboxCursor {
            if frame.orgSeq <= cursor { return }
            state.inboxCursor = frame.orgSeq
        }
        sendInConversationOrder(frame, state: &state)
    }

    /// A conversation replay's frames skip the cursor check: older than the inbox cursor perhaps, but asked for.
    private func sendInConversationOrder(_ frame: EventFrame, state: inout State) {
        if let conversation = frame.conversationID, let seq = frame.seq {
            if let last = state.lastSent[conversation], seq <= last { return }
            state.lastSent[conversation] = seq
        }
        guard let wire = seesMembersOnly ? frame.member : frame.visitor else { return }
        enqueue(wire, state: &state)
    }

    private func enqueue(_ frame: WireFrame, state: inout State) {
        guard state.ending == nil else { return }
        outbox.send(frame)
    }

    private func enqueue(_ text: String, state: inout State) {
        enqueue(WireFrame(text: text), state: &state)
    }

    func receiveEphemeral(_ frame: WireFrame) {
        state.withLock { enqueue(frame, state: &$0) }
    }

    func reply(_ text: String) {
        state.withLock { enqueue(text, state: &$0) }
    }

    // MARK: commands

    /// Handles one text frame from the client. Throws only `ParticipantRevoked` and `Abusive`, which
    /// end the socket.
    func handle(_ text: String) async throws {
        let now = ContinuousClock.now
        let allowed = state.withLock { $0.bucket.take(at: now) } && gateway.orgLimiter.take(participant.orgID, at: now)
        guard allowed else {
            let refusals = state.withLock { state in
                state.refusals += 1
                return state.refusals
            }
            if refusals >= Self.refusalsBeforeClose { throw Abusive() }
            reply(ServerFrame.error(nil, code: "rate-limited", message: "slow down: too many commands"))
            return
        }
        let command: ClientCommand
        do {
            command = try Self.commandDecoder.decode(ClientCommand.self, from: Data(text.utf8))
        } catch {
            reply(ServerFrame.error(nil, code: "malformed-frame", message: "frames are JSON objects with a known type and an id"))
            return
        }
        do {
            switch participant {
            case .member(let identity, let scope): try await runMember(command, identity: identity, orgID: scope.orgID)
            case .visitor(let visitor): try await runVisitor(command, visitor: visitor)
            }
        } catch let error as CommandError {
            reply(ServerFrame.error(command.id, code: error.code, message: error.message))
        } catch let error as ParticipantRevoked {
            throw error
        } catch where error is CancellationError || Task.isCancelled {
            // The socket is closing (the client left, or the server is stopping): nobody to answer. The
            // database pool reports a cancelled wait as its own error, hence the task check.
            return
        } catch {
            let problem = ProblemMapping.problem(for: error) ?? ProblemMapping.internalError
            if problem.status == .internalServerError {
                logger.critical("realtime command failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            reply(ServerFrame.error(command.id, code: problem.code, message: problem.detail ?? problem.title))
        }
    }

    /// Relays "typing started/stopped" (`typist` is the JSON member naming who types) to the
    /// conversation's other subscribers on every instance. Never stored; a repeated "started" within
    /// `typingThrottle` is acked but not relayed.
    func relayTyping(_ command: ClientCommand, conversationID: String, typist: String) async throws {
        let typingState = try command.typingState()
        let now = ContinuousClock.now
        let relay = state.withLock { state -> Bool in
            if typingState == "stop" { return state.typingSince.removeValue(forKey: conversationID) != nil }
            if let since = state.typingSince[conversationID], now - since < Self.typingThrottle { return false }
            state.typingSince[conversationID] = now
            return true
        }
        if relay {
            let text = #"{"type":"typing","conversation_id":"\#(conversationID)",\#(typist),"state":"\#(typingState)"}"#
            try await ephemeral.publish(EphemeralSignal(orgID: participant.orgID, conversationID: conversationID,
                                                        senderSinkID: sinkID, text: text))
        }
        reply(ServerFrame.ack(command.id))
    }

    // MARK: replay

    /// Subscribes to a conversation, replays what the client missed after `afterSeq` (`events`
    /// pages through the database), then goes live. Live frames arriving during the replay are held
    /// and sent after it, minus duplicates. Acks with the newest sequence sent and every reader's
    /// marker (`readMarkers`, read once live: receipts carry no sequence to replay by, and a marker
    /// only moves forward, so one seen twice is harmless).
    func subscribe(conversationID: String, currentSeq: Int, afterSeq: Int?, id: String,
                   events: (Int) async throws -> [StoredEvent], readMarkers: () async throws -> [String: Int]) async throws {
        let orgID = participant.orgID
        state.withLock { $0.held = [] }
        hub.subscribe(self, orgID: orgID, conversationID: conversationID)
        let markers: [String: Int]
        do {
            markers = try await readMarkers()
            var cursor = afterSeq ?? currentSeq
            while true {
                let batch = try await events(cursor)
                state.withLock { state in
                    for event in batch { sendInConversationOrder(EventFrame(event), state: &state) }
                }
                guard let last = batch.last?.seq, batch.count == Self.replayBatch else { break }
                cursor = last
            }
        } catch {
            hub.unsubscribe(self, orgID: orgID, conversationID: conversationID)
            state.withLock { flushHeld(&$0) }
            throw error
        }
        state.withLock { state in
            if afterSeq == nil, state.lastSent[conversationID] == nil { state.lastSent[conversationID] = currentSeq }
            flushHeld(&state)
            enqueue(ServerFrame.ack(id, extra: #","seq":\#(state.lastSent[conversationID] ?? currentSeq),"read":\#(ServerFrame.json(markers))"#),
                    state: &state)
        }
    }

    /// Sends the live frames held during a replay, minus what the replay already sent.
    private func flushHeld(_ state: inout State) {
        let held = state.held ?? []
        state.held = nil
        for frame in held { send(frame, state: &state) }
    }

    /// Follows the whole organization (an agent's inbox): replays the events after `afterCursor`
    /// in commit order, then goes live. Returns the cursor the feed stands at.
    func subscribeInbox(_ scope: TenantScope, afterCursor: Int?) async throws -> Int {
        state.withLock { $0.held = [] }
        hub.subscribeInbox(self, orgID: scope.orgID)
        var cursor: Int
        do {
            let current = try await services.store.inboxCursor(scope)
            cursor = afterCursor.map { min($0, current) } ?? current
            while afterCursor != nil {
                let batch = try await services.store.inboxEvents(scope, afterCursor: cursor, limit: Self.replayBatch)
                state.withLock { state in
                    state.inboxCursor = cursor
                    for event in batch { send(EventFrame(event), state: &state) }
                }
                guard let last = batch.last?.orgSeq, batch.count == Self.replayBatch else { break }
                cursor = last
            }
        } catch {
            hub.unsubscribeInbox(self, orgID: scope.orgID)
            state.withLock { state in
                state.inboxCursor = nil
                flushHeld(&state)
            }
            throw error
        }
        return state.withLock { state in
            state.inboxCursor = max(state.inboxCursor ?? cursor, cursor)
            flushHeld(&state)
            return state.inboxCursor ?? cursor
        }
    }
}

/// The member was removed from the organization, or the visitor deleted, while connected.
struct ParticipantRevoked: Error {}

/// The client kept flooding after being told to slow down.
struct Abusive: Error {}
