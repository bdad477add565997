import Foundation
import Logging
import ParleyCore
import ParleyRealtime
import ParleyStore
import Synchronization

/// One agent's WebSocket: answers commands and forwards subscribed events, in order per
/// conversation, with no gap and no duplicate across a resume.
///
/// Every frame goes through one bounded queue drained by the socket writer; a client that does not
/// read fills it and is closed (`overflowed`) instead of growing the server's memory.
final class RealtimeSession: FrameSink {
    let sinkID = UUID().uuidString
    let seesMembersOnly = true
    private let identity: Identity
    private let orgID: String
    private let services: ParleyServices
    private let hub: Hub
    private let ephemeral: any EphemeralBus
    private let presence: PresenceTracker
    private let outbound: AsyncStream<String>.Continuation
    private let state: Mutex<State>
    private let orgLimiter: OrganizationRateLimiter
    private let logger: Logger

    private struct State {
        /// Conversations being replayed: live frames wait here until the replay is sent.
        var replaying: [String: [EventFrame]] = [:]
        /// Highest sequence sent per conversation; anything at or below it is a duplicate.
        var lastSent: [String: Int] = [:]
        var overflowed = false
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

    init(identity: Identity, orgID: String, services: ParleyServices, hub: Hub, ephemeral: any EphemeralBus,
         presence: PresenceTracker, orgLimiter: OrganizationRateLimiter, outbound: AsyncStream<String>.Continuation,
         logger: Logger) {
        self.state = Mutex(State(bucket: TokenBucket(capacity: services.config.realtimeBurst,
                                                     refillPerSecond: services.config.realtimeRate)))
        self.orgLimiter = orgLimiter
        self.presence = presence
        self.ephemeral = ephemeral
        self.logger = logger
        self.identity = identity
        self.orgID = orgID
        self.services = services
        self.hub = hub
        self.outbound = outbound
    }

    var overflowed: Bool { state.withLock { $0.overflowed } }

    /// Resolves when the outbound queue overflows (the socket must then be closed with 4008).
    let overflow = AsyncStream.makeStream(of: Void.self)

    // MARK: events

    func receive(_ frame: EventFrame) {
        state.withLock { state in
            if let conversation = frame.conversationID, state.replaying[conversation] != nil {
                state.replaying[conversation]?.append(frame)
            } else {
                send(frame, state: &state)
            }
        }
    }

    /// Sends unless it is a duplicate of what this socket already has (by conversation sequence).
    private func send(_ frame: EventFrame, state: inout State) {
        if let conversation = frame.conversationID, let seq = frame.seq {
            if let last = state.lastSent[conversation], seq <= last { return }
            state.lastSent[conversation] = seq
        }
        enqueue(frame.text, state: &state)
    }

    private func enqueue(_ text: String, state: inout State) {
        guard !state.overflowed else { return }
        if case .dropped = outbound.yield(text) {
            state.overflowed = true
            outbound.finish()
            overflow.continuation.finish()
        }
    }

    func receiveEphemeral(_ text: String) {
        state.withLock { enqueue(text, state: &$0) }
    }

    private func reply(_ text: String) {
        state.withLock { enqueue(text, state: &$0) }
    }

    // MARK: commands

    /// Handles one text frame from the client. Throws only `MembershipRevoked` and `Abusive`, which
    /// end the socket.
    func handle(_ text: String) async throws {
        let now = ContinuousClock.now
        let allowed = state.withLock { $0.bucket.take(at: now) } && orgLimiter.take(orgID: orgID, at: now)
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
            command = try JSONCoding.makeDecoder().decode(ClientCommand.self, from: Data(text.utf8))
        } catch {
            reply(ServerFrame.error(nil, code: "malformed-frame", message: "frames are JSON objects with a known type and an id"))
            return
        }
        do {
            try await run(command)
        } catch let error as CommandError {
            reply(ServerFrame.error(command.id, code: error.code, message: error.message))
        } catch let error as MembershipRevoked {
            throw error
        } catch {
            let problem = ProblemMapping.problem(for: error) ?? ProblemMapping.internalError
            if problem.status == .internalServerError {
                logger.critical("realtime command failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            reply(ServerFrame.error(command.id, code: problem.code, message: problem.detail ?? problem.title))
        }
    }

    /// Every command re-proves membership: a member removed mid-connection can do nothing more.
    private func currentScope() async throws -> TenantScope {
        guard let scope = try await services.store.memberScope(userID: identity.userID, orgID: orgID) else {
            throw MembershipRevoked()
        }
        return scope
    }

    private func run(_ command: ClientCommand) async throws {
        let scope = try await currentScope()
        switch command.type {
        case .ping:
            reply(ServerFrame.ack(command.id))
        case .subscribeInbox:
            hub.subscribeInbox(self, orgID: scope.orgID)
            let snapshot = try await presence.snapshot(scope).mapValues(\.rawValue)
            reply(ServerFrame.ack(command.id, extra: #","presence":\#(ServerFrame.json(snapshot))"#))
        case .presence:
            guard let status = command.status.flatMap(PresenceStatus.init(rawValue:)), status != .offline else {
                throw CommandError(code: "validation", message: "status must be 'online' or 'away'")
            }
            try await presence.set(scope, connectionID: sinkID, status: status)
            reply(ServerFrame.ack(command.id))
        case .subscribe:
            try await subscribe(scope, conversationID: try command.requireConversation(), afterSeq: command.afterSeq, id: command.id)
        case .unsubscribe:
            let conversationID = try command.requireConversation()
            _ = try await services.store.conversationSeq(scope, id: conversationID)  // foreign ids answer not-found
            hub.unsubscribe(self, orgID: scope.orgID, conversationID: conversationID)
            reply(ServerFrame.ack(command.id))
        case .send:
            let draft = MessageDraft(body: try Rules.messageBody.check(command.body ?? ""), isPrivate: command.private ?? false,
                                     clientID: try command.clientId.map(MessageController.clientID))
            let result = try await services.store.sendMessage(scope, conversationID: try command.requireConversation(), draft: draft)
            reply(ServerFrame.ack(command.id, extra: #","message":\#(ServerFrame.json(result.message))"#))
        case .typing:
            try await typing(scope, conversationID: try command.requireConversation(), state: command.state, id: command.id)
        case .read:
            guard let seq = command.seq, seq >= 0 else { throw CommandError(code: "validation", message: "seq must be a sequence number") }
            let marker = try await services.store.markRead(scope, conversationID: try command.requireConversation(), seq: seq)
            reply(ServerFrame.ack(command.id, extra: #","last_read_seq":\#(marker)"#))
        }
    }

    /// Relays "typing started/stopped" to the conversation's other subscribers on every instance.
    /// Never stored; repeated "started" within `typingThrottle` is acked but not relayed.
    private func typing(_ scope: TenantScope, conversationID: String, state typingState: String?, id: String) async throws {
        guard let typingState, ["start", "stop"].contains(typingState) else {
            throw CommandError(code: "validation", message: "state must be 'start' or 'stop'")
        }
        _ = try await services.store.conversationSeq(scope, id: conversationID)
        let now = ContinuousClock.now
        let relay = state.withLock { state -> Bool in
            if typingState == "stop" { return state.typingSince.removeValue(forKey: conversationID) != nil }
            if let since = state.typingSince[conversationID], now - since < Self.typingThrottle { return false }
            state.typingSince[conversationID] = now
            return true
        }
        if relay {
            let text = #"{"type":"typing","conversation_id":"\#(conversationID)","user_id":"\#(identity.userID)","state":"\#(typingState)"}"#
            try await ephemeral.publish(EphemeralSignal(orgID: scope.orgID, conversationID: conversationID, senderSinkID: sinkID, text: text))
        }
        reply(ServerFrame.ack(id))
    }

    /// Subscribes, replays what the client missed after `afterSeq` from the database, then goes live.
    /// Live frames arriving during the replay are held and sent after it, minus duplicates.
    private func subscribe(_ scope: TenantScope, conversationID: String, afterSeq: Int?, id: String) async throws {
        let currentSeq = try await services.store.conversationSeq(scope, id: conversationID)
        state.withLock { $0.replaying[conversationID] = [] }
        hub.subscribe(self, orgID: scope.orgID, conversationID: conversationID)
        do {
            var cursor = afterSeq ?? currentSeq
            while true {
                let batch = try await services.store.events(scope, conversationID: conversationID, afterSeq: cursor)
                state.withLock { state in
                    for event in batch where !event.membersOnly || seesMembersOnly { send(EventFrame(event), state: &state) }
                }
                guard let last = batch.last?.seq, batch.count == 500 else { break }
                cursor = last
            }
        } catch {
            hub.unsubscribe(self, orgID: scope.orgID, conversationID: conversationID)
            state.withLock { _ = $0.replaying.removeValue(forKey: conversationID) }
            throw error
        }
        state.withLock { state in
            if afterSeq == nil, state.lastSent[conversationID] == nil { state.lastSent[conversationID] = currentSeq }
            let held = state.replaying.removeValue(forKey: conversationID) ?? []
            for frame in held { send(frame, state: &state) }
            enqueue(ServerFrame.ack(id, extra: #","seq":\#(state.lastSent[conversationID] ?? currentSeq)"#), state: &state)
        }
    }
}

/// The member was removed from the organization while connected.
struct MembershipRevoked: Error {}

/// The client kept flooding after being told to slow down.
struct Abusive: Error {}
