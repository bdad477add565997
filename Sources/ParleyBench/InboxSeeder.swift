import Foundation
import ParleyCore
import ParleyServer
import ParleyStore
import SQLKit

/// Bulk-loads one organization with many conversations and messages, directly in SQL (multi-row
/// inserts in large transactions): going through the API would measure the seeding, not the pages.
struct InboxSeeder {
    let runtime: ParleyRuntime
    let conversations: Int
    let messagesPerConversation: Int

    struct Seeded {
        let orgID: String
        let ownerEmail: String
        let conversationIDs: [String]
    }

    static let password = "benchmark password"
    private static let words = ("refund order parcel invoice shipping delay account password login error payment card "
        + "delivery address subscription cancel upgrade plan discount coupon warranty return exchange size colour stock "
        + "thanks hello please help urgent question problem broken missing wrong late tomorrow today week").split(separator: " ")

    func seed(log: (String) -> Void) async throws -> Seeded {
        let store = runtime.store
        let hash = try await runtime.services.passwords.hash(Self.password)
        let (owner, org) = try await store.signUp(email: "bench-owner@example.com", name: "Bench Owner", passwordHash: hash,
                                                  organizationName: "Bench")
        guard let scope = try await store.operatorScope(orgID: org.id) else { fatalError("organization vanished") }
        let site = try await store.createSite(scope, name: "Bench site", allowedOrigins: [])
        var random = SeededGenerator(state: 42)
        let start = Date().addingTimeInterval(-Double(conversations))
        var ids: [String] = []
        ids.reserveCapacity(conversations)
        let batch = 200
        var done = 0
        let began = ContinuousClock.now
        while done < conversations {
            let count = min(batch, conversations - done)
            var visitorRows: [SQLQueryString] = []
            var conversationRows: [SQLQueryString] = []
            var messageRows: [SQLQueryString] = []
            var markerRows: [SQLQueryString] = []
            for offset in 0..<count {
                let index = done + offset
                let created = start.addingTimeInterval(Double(index))
                let createdMS = Int(created.timeIntervalSince1970 * 1000)
                let conversationID = Identifier.make("cnv", now: created)
                let visitorID = Identifier.make("vis", now: created)
                ids.append(conversationID)
                visitorRows.append("(\(bind: visitorID), \(bind: org.id), \(bind: site.id), \(bind: "Visitor \(index)"), \(bind: "visitor\(index)@example.com"), \(bind: createdMS))")
                var lastMessageID = ""
                for seq in 1...messagesPerConversation {
                    let messageID = Identifier.make("msg", now: created)
                    lastMessageID = messageID
                    let fromVisitor = seq % 2 == 1
                    let body = (0..<8).map { _ in String(Self.words[Int(random.next() % UInt64(Self.words.count))]) }.joined(separator: " ")
                    messageRows.append("""
                        (\(bind: messageID), \(bind: org.id), \(bind: conversationID), \(bind: seq), \(bind: fromVisitor ? "visitor" : "member"),
                         \(bind: fromVisitor ? visitorID : owner.id), \(bind: body), \(bind: seq % 7 == 0), \(bind: createdMS + seq))
                        """)
                }
                let statuses = ["open", "open", "pending", "resolved", "closed", "snoozed"]
                conversationRows.append("""
                    (\(bind: conversationID), \(bind: org.id), \(bind: site.id), \(bind: visitorID), \(bind: statuses[index % statuses.count]),
                     'none', \(bind: index % 3 == 0 ? owner.id : nil), \(bind: messagesPerConversation), \(bind: lastMessageID),
                     \(bind: createdMS + messagesPerConversation), \(bind: createdMS))
                    """)
                if index % 2 == 0 {
                    markerRows.append("(\(bind: org.id), \(bind: conversationID), \(bind: owner.id), \(bind: messagesPerConversation - 2), \(bind: createdMS))")
                }
            }
            try await runtime.engine.transaction { [visitorRows, conversationRows, messageRows, markerRows] db in
                try await db.exec("INSERT INTO visitors (id, org_id, site_id, name, email, created_at) VALUES \(visitorRows.joined(separator: ", "))")
                try await db.exec("""
                    INSERT INTO conversations (id, org_id, site_id, visitor_id, status, priority, assignee_id, seq, last_message_id,
                    last_activity_at, created_at) VALUES \(conversationRows.joined(separator: ", "))
                    """)
                try await db.exec("""
                    INSERT INTO messages (id, org_id, conversation_id, seq, author_type, author_id, body, is_private, created_at)
                    VALUES \(messageRows.joined(separator: ", "))
                    """)
                if !markerRows.isEmpty {
                    try await db.exec("""
                        INSERT INTO read_markers (org_id, conversation_id, reader_id, last_read_seq, updated_at)
                        VALUES \(markerRows.joined(separator: ", "))
                        """)
                }
            }
            done += count
            if done % 10_000 == 0 || done == conversations {
                log("  seeded \(done)/\(conversations) conversations (\(done * messagesPerConversation) messages) in \(ContinuousClock.now - began)")
            }
        }
        if runtime.store.dialect == .postgres {
            try await runtime.engine.read { db in try await db.exec("ANALYZE") }
        } else {
            try await runtime.engine.transaction { db in try await db.exec("ANALYZE") }
        }
        return Seeded(orgID: org.id, ownerEmail: owner.email, conversationIDs: ids)
    }
}
