/// Where a conversation stands in the support workflow.
public enum ConversationStatus: String, Codable, Sendable, CaseIterable {
    case open, pending, snoozed, resolved, closed
}

/// How urgent a conversation is; `none` is the default.
public enum Priority: String, Codable, Sendable, CaseIterable {
    case none, low, medium, high, urgent
}

/// Who wrote a message.
public enum AuthorType: String, Codable, Sendable {
    case member, visitor, system
}
