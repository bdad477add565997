import NIOCore
import ParleyStore
import Synchronization

/// Receives event frames for one connection. Implementations must not block: they enqueue.
public protocol FrameSink: AnyObject, Sendable {
    /// Unique across instances, so a signal can skip the connection it came from.
    var sinkID: String { get }
    /// Whether private-note events may reach this connection (members yes, visitors never).
    var seesMembersOnly: Bool { get }
    func receive(_ frame: EventFrame)
    /// An ephemeral frame (typing, presence): sent as is, never replayed.
    func receiveEphemeral(_ frame: WireFrame)
}

/// This instance's subscriptions: which connections follow which conversation, and which follow a
/// whole organization's inbox. Topics are keyed by organization first, so an event can only ever
/// reach sockets of its own organization.
public final class Hub: Sendable {
    private struct Topics {
        var conversations: [String: [ObjectIdentifier: any FrameSink]] = [:]
        var inboxes: [String: [ObjectIdentifier: any FrameSink]] = [:]
        /// Every visitor socket of an organization (told when agents come and go).
        var lobbies: [String: [ObjectIdentifier: any FrameSink]] = [:]
        /// Each connection's topics, so leaving is O(own topics).
        var joined: [ObjectIdentifier: Joined] = [:]
    }

    private struct Joined {
        var conversations: Set<String> = []
        var inboxes: Set<String> = []
        var lobby: String?
    }

    private let topics = Mutex(Topics())

    public init() {}

    private static func key(_ orgID: String, _ conversationID: String) -> String { orgID + "/" + conversationID }

    public func subscribe(_ sink: any FrameSink, orgID: String, conversationID: String) {
        let key = Self.key(orgID, conversationID)
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            topics.conversations[key, default: [:]][id] = sink
            topics.joined[id, default: Joined()].conversations.insert(key)
        }
    }

    public func unsubscribe(_ sink: any FrameSink, orgID: String, conversationID: String) {
        let key = Self.key(orgID, conversationID)
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            Self.leave(&topics.conversations, key, id)
            topics.joined[id]?.conversations.remove(key)
        }
    }

    /// Follows every conversation event of the organization (an agent's inbox feed).
    public func subscribeInbox(_ sink: any FrameSink, orgID: String) {
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            topics.inboxes[orgID, default: [:]][id] = sink
            topics.joined[id, default: Joined()].inboxes.insert(orgID)
        }
    }

    public func unsubscribeInbox(_ sink: any FrameSink, orgID: String) {
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            Self.leave(&topics.inboxes, orgID, id)
            topics.joined[id]?.inboxes.remove(orgID)
        }
    }

    /// Joins the organization's visitor sockets (a visitor socket, once, when it opens).
    public func joinLobby(_ sink: any FrameSink, orgID: String) {
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            topics.lobbies[orgID, default: [:]][id] = sink
            topics.joined[id, default: Joined()].lobby = orgID
        }
    }

    /// Forgets the connection everywhere (on close).
    public func remove(_ sink: any FrameSink) {
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            guard let joined = topics.joined.removeValue(forKey: id) else { return }
            for key in joined.conversations { Self.leave(&topics.conversations, key, id) }
            for orgID in joined.inboxes { Self.leave(&topics.inboxes, orgID, id) }
            if let orgID = joined.lobby { Self.leave(&topics.lobbies, orgID, id) }
        }
    }

    private static func leave(_ table: inout [String: [ObjectIdentifier: any FrameSink]], _ key: String, _ id: ObjectIdentifier) {
        table[key]?[id] = nil
        if table[key]?.isEmpty == true { table[key] = nil }
    }

    /// Encodes each event once and hands the same frame to every subscriber allowed to see it.
    public func deliver(_ events: [StoredEvent]) {
        for event in events {
            let frame = EventFrame(event)
            let targets = topics.withLock { topics -> [any FrameSink] in
                let inbox = topics.inboxes[event.orgId] ?? [:]
                guard let conversation = event.conversationId,
                    let followers = topics.conversations[Self.key(event.orgId, conversation)] else { return Array(inbox.values) }
                // Each socket once, without building a merged dictionary per event.
                return Array(followers.values) + inbox.lazy.filter { followers[$0.key] == nil }.map(\.value)
            }
            for sink in targets where !frame.membersOnly || sink.seesMembersOnly {
                sink.receive(frame)
            }
        }
    }

    /// Hands an ephemeral signal to the conversation's subscribers (and the inbox subscribers when it
    /// has no conversation or asks for them), except its sender; members-only signals skip visitors;
    /// visitor signals go to the organization's visitor sockets alone.
    public func deliver(_ signal: EphemeralSignal) {
        let targets = topics.withLock { topics in
            if signal.visitors == true { return Array((topics.lobbies[signal.orgID] ?? [:]).values) }
            var sinks = signal.conversationID.flatMap { topics.conversations[Self.key(signal.orgID, $0)] } ?? [:]
            if signal.conversationID == nil || signal.inbox == true {
                sinks.merge(topics.inboxes[signal.orgID] ?? [:]) { first, _ in first }
            }
            return Array(sinks.values)
        }
        let membersOnly = signal.membersOnly == true
        let frame = WireFrame(text: signal.text)
        for sink in targets where sink.sinkID != signal.senderSinkID && (!membersOnly || sink.seesMembersOnly) {
            sink.receiveEphemeral(frame)
        }
    }

    /// Subscriber counts, for metrics and tests.
    public var subscriptionCount: Int {
        topics.withLock { $0.conversations.values.reduce(0) { $0 + $1.count } + $0.inboxes.values.reduce(0) { $0 + $1.count } }
    }
}
