import Foundation

/// What the dashboard's visitor panel shows: who the visitor is (and whether their site vouched for
/// it), what the browser told us, whether they are online and where, their conversations, and the
/// team's notes about them.
public struct VisitorProfile: Codable, Sendable, Equatable {
    public var visitor: VisitorDetails
    public var online: Bool
    public var page: String?
    /// Newest first, at most `recentConversations`.
    public var conversations: [Conversation]
    /// Newest first.
    public var notes: [VisitorNote]

    public static let recentConversations = 20

    public init(visitor: VisitorDetails, online: Bool, page: String?, conversations: [Conversation], notes: [VisitorNote]) {
        self.visitor = visitor
        self.online = online
        self.page = page
        self.conversations = conversations
        self.notes = notes
    }
}

public struct VisitorDetails: Codable, Sendable, Equatable {
    public var id: String
    public var siteId: String
    public var name: String?
    public var email: String?
    public var externalId: String?
    public var verified: Bool
    public var attributes: [String: String]
    public var locale: String?
    public var timezone: String?
    public var userAgent: String?
    public var createdAt: Date
    public var lastSeenAt: Date?

    public init(id: String, siteId: String, name: String?, email: String?, externalId: String?, verified: Bool,
                attributes: [String: String], locale: String?, timezone: String?, userAgent: String?, createdAt: Date,
                lastSeenAt: Date?) {
        self.id = id
        self.siteId = siteId
        self.name = name
        self.email = email
        self.externalId = externalId
        self.verified = verified
        self.attributes = attributes
        self.locale = locale
        self.timezone = timezone
        self.userAgent = userAgent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

/// A member's note about a visitor, seen by the organization's members only.
public struct VisitorNote: Codable, Sendable, Equatable {
    public var id: String
    public var body: String
    /// Nil once the author's account is gone.
    public var authorId: String?
    public var authorName: String?
    public var createdAt: Date

    public init(id: String, body: String, authorId: String?, authorName: String?, createdAt: Date) {
        self.id = id
        self.body = body
        self.authorId = authorId
        self.authorName = authorName
        self.createdAt = createdAt
    }

    public static let bodyRule = TextRule(field: "body", maxLength: 2_000, allowsNewlines: true)
}
