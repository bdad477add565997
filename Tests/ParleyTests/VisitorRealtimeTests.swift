import Foundation
import HTTPTypes
import ParleyCore
import Testing

@Suite("Realtime: visitors")
struct VisitorRealtimeTests {
    @Test("agent and visitor exchange messages, typing, receipts and presence live; private notes never reach the visitor",
          arguments: Backend.allCases)
    func exchange(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.widgetSite(owner)
            let session = try await api.visitorSession(site)
            let opened = try await api.visitorSend(site, session, "Hi, I have a question")
            let conversationID = opened.conversationId
            try await api.socket(owner) { agentSocket in
                let shared = SharedProbe(agentSocket)
                let (inbox, _) = try await shared.probe.command("inbox", ["type": "subscribe_inbox"])
                #expect((inbox["visitors"] as? [String: any Sendable])?.isEmpty == true)
                _ = try await shared.probe.command("sub", ["type": "subscribe", "conversation_id": conversationID])

                try await api.visitorSocket(session, page: "https://example.com/pricing?plan=pro") { visitor in
                    // The agent sees the visitor arrive, with the page they are on.
                    let arrived = try await shared.probe.frames { $0["type"] as? String == "presence" && $0["visitor_id"] != nil }
                    #expect(arrived.last?["status"] as? String == "online")
                    #expect(arrived.last?["page"] as? String == "https://example.com/pricing?plan=pro")
                    #expect(arrived.last?["conversation_id"] as? String == conversationID)

                    let (subscribed, _) = try await visitor.command("v-sub", ["type": "subscribe", "conversation_id": conversationID,
                                                                              "after_seq": 0])
                    #expect(subscribed["type"] as? String == "ack")

                    // Visitor → agent: message, typing, receipt.
                    let (sent, _) = try await visitor.command("v-send", ["type": "send", "body": "Is the Pro plan monthly?", "client_id": "v1"])
                    let message = try #require(sent["message"] as? [String: any Sendable])
                    #expect(message["conversation_id"] as? String == conversationID)
                    let fromVisitor = try await shared.probe.events { $0.data?["body"] as? String == "Is the Pro plan monthly?" }
                    #expect(fromVisitor.last?["event"] as? String == "message.created")
                    _ = try await visitor.command("v-type", ["type": "typing", "conversation_id": conversationID, "state": "start"])
                    let typing = try await shared.probe.frames { $0["type"] as? String == "typing" }
                    #expect(typing.last?["visitor_id"] as? String == session.visitorId)

                    // Agent → visitor: a private note (never delivered), then a reply, typing and a receipt.
                    _ = try await shared.probe.command("note", ["type": "send", "conversation_id": conversationID, "body": "VIP!", "private": true])
                    _ = try await shared.probe.command("reply", ["type": "send", "conversation_id": conversationID, "body": "Yes, monthly."])
                    _ = try await shared.probe.command("a-type", ["type": "typing", "conversation_id": conversationID, "state": "start"])
                    let seen = try await visitor.frames { $0["type"] as? String == "typing" }
                    let bodies = seen.compactMap { $0.data?["body"] as? String }
                    #expect(bodies.contains("Yes, monthly."))
                    #expect(!bodies.contains("VIP!"), "a private note reached the visitor: \(seen)")
                    #expect(seen.allSatisfy { $0["cursor"] == nil && $0["event_id"] == nil }, "organization counters leaked to a visitor")
                    #expect(seen.last?["user_id"] as? String == owner.userID)

                    let replySeq = try #require(seen.first { $0.data?["body"] as? String == "Yes, monthly." }?["seq"] as? Int)
                    _ = try await visitor.command("v-read", ["type": "read", "conversation_id": conversationID, "seq": replySeq])
                    let receipt = try await shared.probe.events { $0["event"] as? String == "conversation.read" }
                    #expect(receipt.last?.data?["reader_id"] as? String == session.visitorId)
                    #expect(receipt.last?.data?["seq"] as? Int == replySeq)
                    // The receipt is kept: a dashboard that loads the conversation later still sees it.
                    let loaded = try api.decode(Conversation.self, try await api.request(
                        .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversationID)", token: owner.accessToken))
                    #expect(loaded.visitorReadSeq == replySeq)
                    _ = try await shared.probe.command("a-read", ["type": "read", "conversation_id": conversationID, "seq": replySeq])
                    // (The visitor's own receipt reaches its other tabs first; then the agent's.)
                    let agentReceipt = try await visitor.events {
                        $0["event"] as? String == "conversation.read" && $0.data?["reader_id"] as? String == owner.userID
                    }
                    #expect(agentReceipt.last?.data?["seq"] as? Int == replySeq)

                    // Conversation changes reach the visitor as the status only.
                    struct Change: Encodable, Sendable { let status: String, labels: [String] }
                    let patched = try await api.request(.patch, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversationID)",
                                                        json: Change(status: "resolved", labels: ["billing"]), token: owner.accessToken)
                    #expect(patched.status == .ok)
                    let update = try await visitor.events { $0["event"] as? String == "conversation.updated" }
                    #expect(update.last?.data?["status"] as? String == "resolved")
                    #expect(update.last?.data?["labels"] == nil)

                    _ = try await visitor.command("v-page", ["type": "presence", "page": "https://example.com/checkout"])
                    let moved = try await shared.probe.frames { $0["type"] as? String == "presence" && $0["page"] as? String == "https://example.com/checkout" }
                    #expect(moved.last?["status"] as? String == "online")

                    // After resolution the next message opens a new conversation, and agents learn that the
                    // visitor (still on the same page) belongs to it now.
                    let (reopened, _) = try await visitor.command("v-new", ["type": "send", "body": "One more question"])
                    let newConversation = try #require((reopened["message"] as? [String: any Sendable])?["conversation_id"] as? String)
                    #expect(newConversation != conversationID)
                    let followed = try await shared.probe.frames {
                        $0["type"] as? String == "presence" && $0["conversation_id"] as? String == newConversation
                    }
                    #expect(followed.last?["page"] as? String == "https://example.com/checkout")
                }
                let gone = try await shared.probe.frames { $0["type"] as? String == "presence" && $0["visitor_id"] != nil }
                #expect(gone.last?["status"] as? String == "offline")
            }
        }
    }

    @Test("a receipt made while the visitor was away is in the ack of their next subscribe, with every reader's marker",
          arguments: Backend.allCases)
    func receiptsOnResubscribe(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.widgetSite(owner)
            let session = try await api.visitorSession(site)
            let opened = try await api.visitorSend(site, session, "Anyone there?")
            let other = try await api.visitorSend(site, try await api.visitorSession(site), "A different visitor")
            // While the visitor is offline, the agent reads both conversations.
            try await api.socket(owner) { agent in
                _ = try await agent.command("r1", ["type": "read", "conversation_id": opened.conversationId, "seq": opened.seq])
                _ = try await agent.command("r2", ["type": "read", "conversation_id": other.conversationId, "seq": other.seq])
            }
            try await api.visitorSocket(session) { visitor in
                let (ack, _) = try await visitor.command("sub", ["type": "subscribe", "conversation_id": opened.conversationId,
                                                                 "after_seq": opened.seq])
                let read = try #require(ack["read"] as? [String: any Sendable])
                #expect(read[owner.userID] as? Int == opened.seq, "the agent's receipt, missed while away")
                #expect(read[session.visitorId] as? Int == opened.seq, "the visitor's own marker (sending reads)")
                #expect(read.count == 2, "only this conversation's readers: \(read)")
            }
        }
    }

    @Test("a visitor reaches only their own conversation: every command on another's is refused, and no inbox",
          arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.widgetSite(owner)
            let neighbour = try await api.visitorSession(site)
            let theirs = try await api.visitorSend(site, neighbour, "my private question").conversationId
            let stranger = try await api.signUp()
            let foreign = try await api.startConversation(stranger, site: try await api.createSite(stranger), message: "elsewhere")
            let session = try await api.visitorSession(site)
            try await api.visitorSocket(session) { visitor in
                _ = try await visitor.frames { $0["type"] as? String == "agents" }  // sent to every visitor socket on connect
                for conversationID in [theirs, foreign.id] {
                    for (id, command) in [
                        ("sub", ["type": "subscribe", "conversation_id": conversationID, "after_seq": 0] as [String: any Sendable]),
                        ("read", ["type": "read", "conversation_id": conversationID, "seq": 1]),
                        ("typing", ["type": "typing", "conversation_id": conversationID, "state": "start"]),
                        ("unsub", ["type": "unsubscribe", "conversation_id": conversationID]),
                    ] {
                        let (reply, events) = try await visitor.command(id, command)
                        #expect(reply["code"] as? String == "not-found", "\(id)")
                        #expect(events.isEmpty, "\(id) leaked \(events)")
                    }
                }
                let (inbox, _) = try await visitor.command("inbox", ["type": "subscribe_inbox"])
                #expect(inbox["code"] as? String == "forbidden")
                let (note, _) = try await visitor.command("note", ["type": "send", "body": "x", "private": true])
                #expect(note["code"] as? String == "forbidden")
                let (page, _) = try await visitor.command("page", ["type": "presence", "page": "javascript:alert(1)"])
                #expect(page["code"] as? String == "validation")
                // Sending never lands in someone else's conversation, whatever id is named.
                let (sent, _) = try await visitor.command("send", ["type": "send", "conversation_id": theirs, "body": "mine"])
                let message = try #require(sent["message"] as? [String: any Sendable])
                #expect(message["conversation_id"] as? String != theirs)
            }
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            let page = try await api.store.messages(scope, conversationID: theirs, direction: .before(nil), limit: 50)
            #expect(page.items.map(\.body) == ["my private question"])
        }
    }

    @Test("the visitor handshake needs an allowed Origin and a live visitor; a deleted visitor's next command is refused with 4001",
          arguments: Backend.allCases)
    func handshake(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.widgetSite(owner)
            let session = try await api.visitorSession(site)
            // A page elsewhere (the site allows only https://example.com), or a second Origin header.
            let strict = try await api.createSite(owner, name: "Strict")
            let elsewhere = try await api.visitorSession(strict)
            await #expect(throws: (any Error).self) {
                try await api.visitorSocket(elsewhere) { _ in Issue.record("the socket opened") }
            }
            await #expect(throws: (any Error).self) {
                try await api.client.ws("/ws?visitor_token=\(session.visitorToken)",
                                        configuration: .init(additionalHeaders: [.origin: TestAPI.siteOrigin])) { _, _, _ in
                    Issue.record("the socket opened")
                }
            }
            let close = try await api.visitorSocket(session) { visitor in
                let (pong, _) = try await visitor.command("p", ["type": "ping"])
                #expect(pong["type"] as? String == "ack")
                let deleted = try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/sites/\(site.id)", token: owner.accessToken)
                #expect(deleted.status == .noContent)
                try await visitor.send(["type": "ping", "id": "after"])
                while try await visitor.next() != nil {}
            }
            #expect(close?.closeCode == .unknown(4001))
        }
    }

    @Test("deleting a site closes its visitors' sockets at once with 4001, even one that only listens; the dashboard hears site.deleted, another organization does not; another site's visitor stays",
          .timeLimit(.minutes(1)), arguments: Backend.allCases)
    func siteDeletion(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let stranger = try await api.signUp(org: "Stranger")
            let theirs = try await api.startConversation(stranger, site: try await api.createSite(stranger), message: nil)
            try await api.socket(stranger) { outsider in
                _ = try await outsider.command("i", ["type": "subscribe_inbox"])
                try await Self.deleteSiteWithVisitorsOnline(api, owner)
                // The feed delivers in commit order: had the deletion reached the stranger, it would come first.
                _ = try await api.sendMessage(stranger, theirs, "ours")
                let seen = try await outsider.events { ($0.data?["body"] as? String) == "ours" }
                #expect(!seen.contains { $0["event"] as? String == "site.deleted" })
            }
        }
    }

    /// Deletes one of two sites while a visitor of each is connected and the owner's inbox listens.
    private static func deleteSiteWithVisitorsOnline(_ api: TestAPI, _ owner: Account) async throws {
        let doomed = try await api.widgetSite(owner)
        let kept = try await api.createSite(owner, name: "Kept", origins: [TestAPI.siteOrigin, TestAPI.socketOrigin])
        let doomedSession = try await api.visitorSession(doomed)
        try await api.visitorSocket(try await api.visitorSession(kept)) { keptVisitor in
            let close = try await api.visitorSocket(doomedSession) { visitor in
                _ = try await visitor.command("p", ["type": "ping"])  // open and registered
                try await api.socket(owner) { agent in
                    _ = try await agent.command("i", ["type": "subscribe_inbox"])
                    let deleted = try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/sites/\(doomed.id)", token: owner.accessToken)
                    #expect(deleted.status == .noContent)
                    let heard = try await agent.events { $0["event"] as? String == "site.deleted" }
                    #expect(heard.last?.data?["site_id"] as? String == doomed.id)
                }
                while try await visitor.next() != nil {}  // only listens: the close must come unasked
            }
            #expect(close?.closeCode == .unknown(4001))
            #expect(try await keptVisitor.command("after", ["type": "ping"]).reply["type"] as? String == "ack")
        }
    }

    @Test("a visitor's widget hears whether any agent is online: on connect and whenever that changes, never about another organization",
          arguments: Backend.allCases)
    func agentAvailability(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let stranger = try await api.signUp(org: "Stranger")
            let site = try await api.widgetSite(owner)
            let session = try await api.visitorSession(site)
            try await api.visitorSocket(session) { visitor in
                let shared = SharedProbe(visitor)
                let first = try await shared.probe.frames { $0["type"] as? String == "agents" }
                #expect(first.last?["online"] as? Bool == false)

                try await api.socket(stranger) { _ in }  // another organization's agent comes and goes
                try await api.socket(owner) { agent in
                    let online = try await shared.probe.frames { $0["type"] as? String == "agents" }
                    #expect(online.count == 1, "nothing about the stranger's agent: \(online)")
                    #expect(online.last?["online"] as? Bool == true)
                    _ = try await agent.command("away", ["type": "presence", "status": "away"])
                    let away = try await shared.probe.frames { $0["type"] as? String == "agents" }
                    #expect(away.last?["online"] as? Bool == false, "an agent who is away does not count")
                    _ = try await agent.command("back", ["type": "presence", "status": "online"])
                    #expect(try await shared.probe.frames { $0["type"] as? String == "agents" }.last?["online"] as? Bool == true)
                }
                let gone = try await shared.probe.frames { $0["type"] as? String == "agents" }
                #expect(gone.last?["online"] as? Bool == false)
            }
        }
    }
}
