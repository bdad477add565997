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
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, siteKey: String, identitySecret: String?, allowedOrigins: [String],
                identityRequired: Bool, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.siteKey = siteKey
        self.identitySecret = identitySecret
        self.allowedOrigins = allowedOrigins
        self.identityRequired = identityRequired
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
    public var edited: Bool { editedAt != nil }
    public var deleted: Bool { deletedAt != nil }

    public init(id: String, conversationId: String, seq: Int, authorType: AuthorType, authorId: String?, body: String,
                private isPrivate: Bool, clientId: String?, createdAt: Date, editedAt: Date?, deletedAt: Date?) {
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
    }

    enum CodingKeys: String, CodingKey {
        case id, conversationId, seq, authorType, authorId, body, `private`, clientId, createdAt, editedAt, deletedAt
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
            deletedAt: try c.decodeIfPresent(Date.self, forKey: .deletedAt))
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

    public init(id: String, siteId: String, visitor: Visitor, status: ConversationStatus, priority: Priority,
                assigneeId: String?, labels: [String], seq: Int, lastActivityAt: Date, createdAt: Date,
                lastMessage: Message?, unreadCount: Int) {
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
