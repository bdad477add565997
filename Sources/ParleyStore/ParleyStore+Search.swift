import Foundation
import ParleyCore
import SQLKit

/// Organization-scoped search over visitor name/email and message text, paged like the inbox.
extension ParleyStore {
    /// Conversations whose visitor name or email contains `query`, or with a message matching its words.
    /// Members see private notes, so notes are searched too; deleted messages are not.
    public func searchConversations(_ scope: TenantScope, query: String, cursor: String?, limit: Int) async throws -> Page<Conversation> {
        let after = try ActivityCursor.decode(cursor)
        let pattern = "%" + Self.escapeLike(query.lowercased()) + "%"
        var matches: [SQLQueryString] = [
            """
            c.visitor_id IN (SELECT id FROM visitors WHERE org_id = \(bind: scope.orgID)
                AND (lower(name) LIKE \(bind: pattern) ESCAPE '\\' OR lower(email) LIKE \(bind: pattern) ESCAPE '\\'))
            """
        ]
        if let text = FullTextQuery(query) {
            matches.append("c.id IN (\(messageMatch(scope, text)))")
        }
        let conditions: [SQLQueryString] = ["c.org_id = \(bind: scope.orgID)", "(\(matches.joined(separator: " OR ")))"]
        return try await conversationPage(scope, conditions: conditions, after: after, limit: limit)
    }

    /// The dialect-specific full-text part: conversation ids with a live message matching every word.
    private func messageMatch(_ scope: TenantScope, _ text: FullTextQuery) -> SQLQueryString {
        switch dialect {
        case .sqlite:
            return """
                SELECT m.conversation_id FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
                WHERE messages_fts MATCH \(bind: text.fts5) AND m.org_id = \(bind: scope.orgID) AND m.deleted_at IS NULL
                """
        case .postgres:
            return """
                SELECT m.conversation_id FROM messages m WHERE m.org_id = \(bind: scope.orgID) AND m.deleted_at IS NULL
                AND m.body_tsv @@ to_tsquery('simple', \(bind: text.tsquery))
                """
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

/// User search text reduced to plain words, so no query syntax of either engine can be injected.
struct FullTextQuery {
    let words: [String]

    init?(_ text: String) {
        words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map { String($0).lowercased() }.prefix(16).map { $0 }
        if words.isEmpty { return nil }
    }

    /// FTS5: every word quoted (a phrase of one token), implicitly AND-ed; the last one as a prefix.
    var fts5: String {
        words.enumerated().map { index, word in
            "\"\(word)\"" + (index == words.count - 1 ? "*" : "")
        }.joined(separator: " ")
    }

    /// tsquery: the words AND-ed, the last one as a prefix. Words are letters and digits only, so
    /// they can't carry tsquery operators.
    var tsquery: String {
        words.enumerated().map { index, word in word + (index == words.count - 1 ? ":*" : "") }.joined(separator: " & ")
    }
}
