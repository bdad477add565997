import Foundation

// The domain records Parley reads and writes. They encode to the public JSON API with snake_case keys.

public struct Organization: Codable, Sendable, Equatable {
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: Date

    public init(id: String, slug: String, name: String, createdAt: Date) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
    }
}

public struct User: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String
    public var isSuperadmin: Bool
    public var totpEnabled: Bool
    public var createdAt: Date

    public init(id: String, email: String, name: String, isSuperadmin: Bool, totpEnabled: Bool, createdAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.isSuperadmin = isSuperadmin
        self.totpEnabled = totpEnabled
        self.createdAt = createdAt
    }
}

/// A user's place in one organization.
public struct Member: Codable, Sendable, Equatable {
    public var userId: String
    public var email: String
    public var name: String
    public var role: Role
    public var joinedAt: Date

    public init(userId: String, email: String, name: String, role: Role, joinedAt: Date) {
        self.userId = userId
        self.email = email
        self.name = name
        self.role = role
        self.joinedAt = joinedAt
    }
}

/// An organization as seen by one of its members.
public struct MembershipSummary: Codable, Sendable, Equatable {
    public var organization: Organization
    public var role: Role

    public init(organization: Organization, role: Role) {
        self.organization = organization
        self.role = role
    }
}

/// A website (inbox) of an organization. `identitySecret` is only shown to owners and admins.
public struct Site: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var siteKey: String
    public var identitySecret: String?
    public var allowedOrigins: [String]
    /// Visitors must prove who they are (an identity hash) before they may send.
    public var identityRequired: Bool
    public var widget: WidgetSettings
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, siteKey: String, identitySecret: String?, allowedOrigins: [String],
                identityRequired: Bool, widget: WidgetSettings, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.siteKey = siteKey
        self.identitySecret = identitySecret
        self.allowedOrigins = allowedOrigins
        self.identityRequired = identityRequired
        self.widget = widget
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct Visitor: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var email: String?

    public init(id: String, name: String?, email: String?) {
        self.id = id
        self.name = name
        self.email = email
    }
}

public struct Message: Codable, Sendable, Equatable {
    public var id: String
    public var conversationId: String
    public var seq: Int
    public var authorType: AuthorType
    public var authorId: String?
    public var body: String
    public var `private`: Bool
    public var clientId: String?
    public var createdAt: Date
    public var editedAt: Date?
    public var deletedAt: Date?
    /// A file sent with the message (its `body` is then the file's name).
    public var attachment: Attachment?
    public var edited: Bool { editedAt != nil }
    public var deleted: Bool { deletedAt != nil }

    public init(id: String, conversationId: String, seq: Int, authorType: AuthorType, authorId: String?, body: String,
                private isPrivate: Bool, clientId: String?, createdAt: Date, editedAt: Date?, deletedAt: Date?,
                attachment: Attachment? = nil) {
        self.id = id
        self.conversationId = conversationId
        self.seq = seq
        self.authorType = authorType
        self.authorId = authorId
        self.body = body
        self.private = isPrivate
        self.clientId = clientId
        self.createdAt = createdAt
        self.editedAt = editedAt
        self.deletedAt = deletedAt
        self.attachment = attachment
    }

    enum CodingKeys: String, CodingKey {
        case id, conversationId, seq, authorType, authorId, body, `private`, clientId, createdAt, editedAt, deletedAt, attachment
        case edited, deleted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), conversationId: try c.decode(String.self, forKey: .conversationId),
            seq: try c.decode(Int.self, forKey: .seq), authorType: try c.decode(AuthorType.self, forKey: .authorType),
            authorId: try c.decodeIfPresent(String.self, forKey: .authorId), body: try c.decode(String.self, forKey: .body),
            private: try c.decode(Bool.self, forKey: .private), clientId: try c.decodeIfPresent(String.self, forKey: .clientId),
            createdAt: try c.decode(Date.self, forKey: .createdAt), editedAt: try c.decodeIfPresent(Date.self, forKey: .editedAt),
            deletedAt: try c.decodeIfPresent(Date.self, forKey: .deletedAt),
            attachment: try c.decodeIfPresent(Attachment.self, forKey: .attachment))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(conversationId, forKey: .conversationId)
        try c.encode(seq, forKey: .seq)
        try c.encode(authorType, forKey: .authorType)
        try c.encode(authorId, forKey: .authorId)
        try c.encode(body, forKey: .body)
        try c.encode(`private`, forKey: .private)
        try c.encode(clientId, forKey: .clientId)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(editedAt, forKey: .editedAt)
        try c.encode(deletedAt, forKey: .deletedAt)
        try c.encode(attachment, forKey: .attachment)
        try c.encode(edited, forKey: .edited)
        try c.encode(deleted, forKey: .deleted)
    }
}

public struct Conversation: Codable, Sendable, Equatable {
    public var id: String
    public var siteId: String
    public var visitor: Visitor
    public var status: ConversationStatus
    public var priority: Priority
    public var assigneeId: String?
    public var labels: [String]
    public var seq: Int
    public var lastActivityAt: Date
    public var createdAt: Date
    public var lastMessage: Message?
    /// Messages after the caller's read marker, not written by the caller (capped, see `Limits.unreadCap`).
    public var unreadCount: Int
    /// The visitor's satisfaction rating, once given.
    public var rating: Rating?
    /// How far the visitor has read (0: nothing yet), so agents see "Seen" after a reload too.
    public var visitorReadSeq: Int

    public init(id: String, siteId: String, visitor: Visitor, status: ConversationStatus, priority: Priority,
                assigneeId: String?, labels: [String], seq: Int, lastActivityAt: Date, createdAt: Date,
                lastMessage: Message?, unreadCount: Int, rating: Rating? = nil, visitorReadSeq: Int = 0) {
        self.id = id
        self.siteId = siteId
        self.visitor = visitor
        self.status = status
        self.priority = priority
        self.assigneeId = assigneeId
        self.labels = labels
        self.seq = seq
        self.lastActivityAt = lastActivityAt
        self.createdAt = createdAt
        self.lastMessage = lastMessage
        self.unreadCount = unreadCount
        self.rating = rating
        self.visitorReadSeq = visitorReadSeq
    }
}

/// A visitor's satisfaction with a resolved conversation (CSAT): 1 (bad) to 5 (great).
public struct Rating: Codable, Sendable, Equatable {
    public static let scores = 1...5
    public var score: Int
    public var comment: String?
    public var createdAt: Date

    public init(score: Int, comment: String?, createdAt: Date) {
        self.score = score
        self.comment = comment
        self.createdAt = createdAt
    }
}

public struct Invitation: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var role: Role
    public var createdAt: Date
    public var expiresAt: Date
    public var acceptedAt: Date?

    public init(id: String, email: String, role: Role, createdAt: Date, expiresAt: Date, acceptedAt: Date?) {
        self.id = id
        self.email = email
        self.role = role
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }
}

/// One page of a list plus the opaque cursor for the next page (nil at the end).
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// Contact details a visitor left through the widget's pre-chat or offline form.
public struct Lead: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable, CaseIterable { case prechat, offline }
    public var id: String
    public var siteId: String
    public var visitorId: String?
    public var source: Source
    public var name: String?
    public var email: String?
    public var message: String?
    /// The site's pre-chat fields beyond name and email, by field name.
    public var fields: [String: String]
    public var createdAt: Date

    public init(id: String, siteId: String, visitorId: String?, source: Source, name: String?, email: String?,
                message: String?, fields: [String: String], createdAt: Date) {
        self.id = id
        self.siteId = siteId
        self.visitorId = visitorId
        self.source = source
        self.name = name
        self.email = email
        self.message = message
        self.fields = fields
        self.createdAt = createdAt
    }
}

/// A file in a conversation. Its bytes are fetched through a short-lived signed URL.
public struct Attachment: Codable, Sendable, Equatable {
    public var id: String
    /// Sanitized: no directories, no control characters.
    public var filename: String
    /// What the content is (sniffed), not what the sender declared.
    public var contentType: String
    public var byteSize: Int
    /// Shown inline by clients; other files are offered as downloads.
    public var image: Bool

    public init(id: String, filename: String, contentType: String, byteSize: Int, image: Bool) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.byteSize = byteSize
        self.image = image
    }
}
