import ParleyCore

/// Inbox filters; all optional and combined with AND.
public struct ConversationFilter: Sendable, Equatable {
    public enum Assignee: Sendable, Equatable {
        case me
        case unassigned
        case user(String)
    }

    public var status: ConversationStatus?
    public var assignee: Assignee?
    public var siteID: String?
    public var label: String?
    public var priority: Priority?

    public init(status: ConversationStatus? = nil, assignee: Assignee? = nil, siteID: String? = nil,
                label: String? = nil, priority: Priority? = nil) {
        self.status = status
        self.assignee = assignee
        self.siteID = siteID
        self.label = label
        self.priority = priority
    }
}

/// Keyset cursor for lists ordered by (a time, id) descending; opaque to clients.
struct ActivityCursor: Equatable {
    let lastActivityAt: Int
    let id: String

    var encoded: String { "\(lastActivityAt)~\(id)" }

    static func decode(_ text: String?, idPrefix: String = "cnv") throws(StoreError) -> ActivityCursor? {
        guard let text else { return nil }
        let parts = text.split(separator: "~", maxSplits: 1)
        guard parts.count == 2, let time = Int(parts[0]), Identifier.isWellFormed(String(parts[1]), prefix: idPrefix) else {
            throw .invalid(ValidationError(field: "cursor", reason: "is not a cursor returned by this list"))
        }
        return ActivityCursor(lastActivityAt: time, id: String(parts[1]))
    }
}
