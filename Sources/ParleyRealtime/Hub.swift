import ParleyStore
import Synchronization

/// Receives event frames for one connection. Implementations must not block: they enqueue.
public protocol FrameSink: AnyObject, Sendable {
    /// Unique across instances, so a signal can skip the connection it came from.
    var sinkID: String { get }
    /// Whether private-note events may reach this connection (members yes, visitors never).
    var seesMembersOnly: Bool { get }
    func receive(_ frame: EventFrame)
    /// An ephemeral frame (typing): sent as is, never replayed.
    func receiveEphemeral(_ text: String)
}

/// This instance's subscriptions: which connections follow which conversation, and which follow a
/// whole organization's inbox. Topics are keyed by organization first, so an event can only ever
/// reach sockets of its own organization.
public final class Hub: Sendable {
    private struct Topics {
        var conversations: [String: [ObjectIdentifier: any FrameSink]] = [:]
        var inboxes: [String: [ObjectIdentifier: any FrameSink]] = [:]
    }

    private let topics = Mutex(Topics())

    public init() {}

    private static func key(_ orgID: String, _ conversationID: String) -> String { orgID + "/" + conversationID }

    public func subscribe(_ sink: any FrameSink, orgID: String, conversationID: String) {
        topics.withLock { $0.conversations[Self.key(orgID, conversationID), default: [:]][ObjectIdentifier(sink)] = sink }
    }

    public func unsubscribe(_ sink: any FrameSink, orgID: String, conversationID: String) {
        topics.withLock { topics in
            let key = Self.key(orgID, conversationID)
            topics.conversations[key]?[ObjectIdentifier(sink)] = nil
            if topics.conversations[key]?.isEmpty == true { topics.conversations[key] = nil }
        }
    }

    /// Follows every conversation event of the organization (an agent's inbox feed).
    public func subscribeInbox(_ sink: any FrameSink, orgID: String) {
        topics.withLock { $0.inboxes[orgID, default: [:]][ObjectIdentifier(sink)] = sink }
    }

    /// Forgets the connection everywhere (on close).
    public func remove(_ sink: any FrameSink) {
        let id = ObjectIdentifier(sink)
        topics.withLock { topics in
            for key in topics.conversations.keys { topics.conversations[key]?[id] = nil }
            topics.conversations = topics.conversations.filter { !$0.value.isEmpty }
            for key in topics.inboxes.keys { topics.inboxes[key]?[id] = nil }
            topics.inboxes = topics.inboxes.filter { !$0.value.isEmpty }
        }
    }

    /// Encodes each event once and hands the same frame to every subscriber allowed to see it.
    public func deliver(_ events: [StoredEvent]) {
        for event in events {
            let frame = EventFrame(event)
            let targets = topics.withLock { topics -> [any FrameSink] in
                var sinks = topics.inboxes[event.orgId] ?? [:]
                if let conversation = event.conversationId {
                    sinks.merge(topics.conversations[Self.key(event.orgId, conversation)] ?? [:]) { first, _ in first }
                }
                return Array(sinks.values)
            }
            for sink in targets where !frame.membersOnly || sink.seesMembersOnly {
                sink.receive(frame)
            }
        }
    }

    /// Hands an ephemeral signal to the conversation's subscribers (or, for an organization-wide
    /// signal, the inbox subscribers), except its sender.
    public func deliver(_ signal: EphemeralSignal) {
        let targets = topics.withLock { topics in
            let sinks = signal.conversationID.map { topics.conversations[Self.key(signal.orgID, $0)] } ?? topics.inboxes[signal.orgID]
            return Array((sinks ?? [:]).values)
        }
        for sink in targets where sink.sinkID != signal.senderSinkID {
            sink.receiveEphemeral(signal.text)
        }
    }

    /// Subscriber counts, for metrics and tests.
    public var subscriptionCount: Int {
        topics.withLock { $0.conversations.values.reduce(0) { $0 + $1.count } + $0.inboxes.values.reduce(0) { $0 + $1.count } }
    }
}
