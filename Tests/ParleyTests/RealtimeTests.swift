import Foundation
import ParleyCore
import Testing

@Suite("Realtime gateway")
struct RealtimeTests {
    @Test("a subscribed agent receives messages sent by others, live, in order", arguments: Backend.allCases)
    func liveMessages(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner))
            try await api.socket(agent) { probe in
                try await probe.send(["type": "subscribe", "id": "s1", "conversation_id": conversation.id])
                let (ack, _) = try await probe.reply(to: "s1")
                #expect(ack["type"] as? String == "ack")
                #expect(ack["seq"] as? Int == conversation.seq)

                _ = try await api.sendMessage(owner, conversation, "first")
                _ = try await api.sendMessage(owner, conversation, "a note", private: true)
                let events = try await probe.events { ($0.data?["body"] as? String) == "a note" }
                #expect(events.map { $0["event"] as? String } == ["message.created", "message.created"])
                #expect(events.compactMap { $0.data?["body"] as? String } == ["first", "a note"])
                #expect(events.compactMap { $0["seq"] as? Int } == [conversation.seq + 1, conversation.seq + 2])
                #expect(events.compactMap { $0.data?["seq"] as? Int } == [conversation.seq + 1, conversation.seq + 2])
            }
        }
    }

    @Test("send over the socket is acked after commit with the stored message, and is idempotent", arguments: Backend.allCases)
    func sendCommand(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            try await api.socket(owner) { probe in
                var answered: [Data] = []
                for attempt in ["a", "b"] {
                    try await probe.send(["type": "send", "id": "m-\(attempt)", "conversation_id": conversation.id,
                                          "body": "hello over ws", "client_id": "ws-1"])
                    let (ack, _) = try await probe.reply(to: "m-\(attempt)")
                    #expect(ack["type"] as? String == "ack")
                    let message = try #require(ack["message"] as? [String: any Sendable])
                    #expect(message["body"] as? String == "hello over ws")
                    #expect(message["seq"] as? Int == conversation.seq + 1)
                    answered.append(try JSONSerialization.data(withJSONObject: message, options: .sortedKeys))
                }
                // The first answer reuses the JSON rendered before the write (the sequence spliced in), the
                // retry's encodes the stored row: the same message either way.
                #expect(answered[0] == answered[1])
            }
            let page = try api.decode(Page<Message>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/messages", token: owner.accessToken))
            #expect(page.items.map(\.body) == ["hello over ws"])
        }
    }

    @Test("resume: subscribing after a sequence replays the gap, then continues live, without duplicates", arguments: Backend.allCases)
    func resume(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: "m0")
            let seen = conversation.seq
            for index in 1...5 { _ = try await api.sendMessage(owner, conversation, "m\(index)") }
            try await api.socket(owner) { probe in
                try await probe.send(["type": "subscribe", "id": "r", "conversation_id": conversation.id, "after_seq": seen])
                let (ack, replayed) = try await probe.reply(to: "r")
                #expect(replayed.compactMap { $0.data?["body"] as? String } == ["m1", "m2", "m3", "m4", "m5"])
                #expect(ack["seq"] as? Int == seen + 5)
                _ = try await api.sendMessage(owner, conversation, "m6")
                let live = try await probe.events { ($0.data?["body"] as? String) == "m6" }
                #expect(live.compactMap { $0.data?["body"] as? String } == ["m6"])
            }
        }
    }

    @Test("the inbox feed carries every conversation of the organization, and only of it", arguments: Backend.allCases)
    func inboxFeed(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let stranger = try await api.signUp()
            let mine = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            let theirs = try await api.startConversation(stranger, site: try await api.createSite(stranger), message: nil)
            try await api.socket(owner) { probe in
                try await probe.send(["type": "subscribe_inbox", "id": "i"])
                _ = try await probe.reply(to: "i")
                _ = try await api.sendMessage(stranger, theirs, "secret of another tenant")
                _ = try await api.sendMessage(owner, mine, "ours")
                let events = try await probe.events { ($0.data?["body"] as? String) == "ours" }
                #expect(events.allSatisfy { $0["conversation_id"] as? String == mine.id })
            }
        }
    }

    @Test("the inbox feed resumes from its organization cursor: the gap across conversations, in order, then live",
          arguments: Backend.allCases)
    func inboxResume(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let first = try await api.startConversation(owner, site: site, message: nil)
            let second = try await api.startConversation(owner, site: site, message: nil)
            let seen = SharedCursor()
            try await api.socket(owner) { probe in
                let (ack, _) = try await probe.command("inbox", ["type": "subscribe_inbox"])
                let start = try #require(ack["cursor"] as? Int)
                _ = try await api.sendMessage(owner, first, "before the drop")
                let live = try await probe.events { $0.data?["body"] as? String == "before the drop" }
                let cursor = try #require(live.last?["cursor"] as? Int)
                #expect(cursor > start)
                seen.value = cursor
            }
            // While disconnected: messages in both conversations, a private note, a receipt, and a stranger's traffic.
            let stranger = try await api.signUp()
            let theirs = try await api.startConversation(stranger, site: try await api.createSite(stranger), message: nil)
            let missed = (0..<4).map { "missed \($0)" }
            for (index, conversation) in [first, second, first, second].enumerated() {
                _ = try await api.sendMessage(owner, conversation, missed[index], private: index == 2)
                _ = try await api.sendMessage(stranger, theirs, "not yours \(index)")
            }
            try await api.socket(owner) { probe in
                let (ack, replayed) = try await probe.command("inbox", ["type": "subscribe_inbox", "after_cursor": seen.value])
                #expect(replayed.compactMap { $0.data?["body"] as? String } == missed)
                #expect(replayed.allSatisfy { [first.id, second.id].contains($0["conversation_id"] as? String) })
                let cursors = replayed.compactMap { $0["cursor"] as? Int }
                #expect(cursors == cursors.sorted() && Set(cursors).count == cursors.count && cursors.first! > seen.value)
                #expect(ack["cursor"] as? Int == cursors.last)
                _ = try await api.sendMessage(owner, second, "live again")
                let after = try await probe.events { $0.data?["body"] as? String == "live again" }
                #expect(after.compactMap { $0.data?["body"] as? String } == ["live again"])
                #expect((after.last?["cursor"] as? Int ?? 0) > cursors.last!)
            }
        }
    }

    @Test("another organization's member can't connect to, subscribe to, or send into a foreign conversation", arguments: Backend.allCases)
    func isolation(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let stranger = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: "private")

            // The handshake on the foreign organization is refused outright.
            await #expect(throws: (any Error).self) {
                try await api.socket(stranger, org: owner.orgID) { _ in Issue.record("the socket opened") }
            }
            await #expect(throws: (any Error).self) {
                try await api.socket(owner, token: "not-a-token") { _ in Issue.record("the socket opened") }
            }
            try await api.socket(stranger) { probe in
                for (id, command) in [
                    ("sub", ["type": "subscribe", "conversation_id": conversation.id, "after_seq": 0] as [String: any Sendable]),
                    ("send", ["type": "send", "conversation_id": conversation.id, "body": "intrusion"]),
                    ("read", ["type": "read", "conversation_id": conversation.id, "seq": 1]),
                    ("unsub", ["type": "unsubscribe", "conversation_id": conversation.id]),
                ] {
                    var frame = command
                    frame["id"] = id
                    try await probe.send(frame)
                    let (reply, events) = try await probe.reply(to: id)
                    #expect(reply["type"] as? String == "error")
                    #expect(reply["code"] as? String == "not-found", "\(id)")
                    #expect(events.isEmpty, "\(id) leaked \(events)")
                }
            }
            let page = try api.decode(Page<Message>.self, try await api.request(
                .get, "/api/v1/orgs/\(owner.orgID)/conversations/\(conversation.id)/messages", token: owner.accessToken))
            #expect(page.items.map(\.body) == ["private"])
        }
    }

    @Test("a member removed while connected is cut off with close code 4001 and leaves no presence behind", arguments: Backend.allCases)
    func revokedMembership(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let close = try await api.socket(agent) { probe in
                try await probe.send(["type": "ping", "id": "p1"])
                #expect(try await probe.reply(to: "p1").reply["type"] as? String == "ack")
                #expect(try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/members/\(agent.userID)",
                                              token: owner.accessToken).status == .noContent)
                try await probe.send(["type": "ping", "id": "p2"])
                #expect(try await probe.next() == nil)
            }
            #expect(close?.closeCode == .unknown(4001))
            // Its presence row went with the socket (closing after revocation still cleans up).
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            #expect(try await api.store.presence(scope, freshAfter: Date().addingTimeInterval(-3600))[agent.userID] == nil)
        }
    }

    @Test("a removed member's socket that only listens is closed with 4001 at once, and no event after the removal reaches it",
          .timeLimit(.minutes(1)), arguments: Backend.allCases)
    func revokedListener(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            let close = try await api.socket(agent) { probe in
                try await probe.send(["type": "subscribe_inbox", "id": "i"])
                _ = try await probe.reply(to: "i")
                #expect(try await api.request(.delete, "/api/v1/orgs/\(owner.orgID)/members/\(agent.userID)",
                                              token: owner.accessToken).status == .noContent)
                _ = try await api.sendMessage(owner, conversation, "after the removal")
                var seen: [String] = []
                while let frame = try await probe.next() { seen.append(frame["event"] as? String ?? "") }
                #expect(!seen.contains("message.created"))
            }
            #expect(close?.closeCode == .unknown(4001))
        }
    }

    @Test("typing reaches the other subscribers, never the typist, throttled, and is never stored", arguments: Backend.allCases)
    func typing(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            try await api.socket(owner) { watcher in
                try await watcher.send(["type": "subscribe", "id": "w", "conversation_id": conversation.id])
                _ = try await watcher.reply(to: "w")
                try await api.socket(agent) { typist in
                    try await typist.send(["type": "subscribe", "id": "t", "conversation_id": conversation.id])
                    _ = try await typist.reply(to: "t")
                    for (id, state) in [("t1", "start"), ("t2", "start"), ("t3", "stop")] {
                        try await typist.send(["type": "typing", "id": id, "conversation_id": conversation.id, "state": state])
                        let (ack, echoed) = try await typist.reply(to: id)
                        #expect(ack["type"] as? String == "ack")
                        #expect(echoed.isEmpty, "the typist got its own typing back")
                    }
                }
                // Signals travel in order on one channel: once "stop" is here, a relayed second "start" would be too.
                var typing: [SocketProbe.Frame] = []
                while let frame = try await watcher.next(), frame["type"] as? String == "typing" {
                    typing.append(frame)
                    if frame["state"] as? String == "stop" { break }
                }
                #expect(typing.map { $0["state"] as? String } == ["start", "stop"])  // the repeated start was throttled
                #expect(typing.allSatisfy { $0["user_id"] as? String == agent.userID })
            }
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            #expect(try await api.store.events(scope, conversationID: conversation.id, afterSeq: 0).allSatisfy { !$0.type.contains("typing") })
        }
    }

    @Test("a client that stops reading is closed instead of growing the server's queue", arguments: Backend.allCases)
    func slowConsumer(_ backend: Backend) async throws {
        try await withLiveParley(backend, configure: { $0.realtimeQueueBytes = 64 * 1024 }) { api in
            let owner = try await api.signUp()
            let conversation = try await api.startConversation(owner, site: try await api.createSite(owner), message: nil)
            let body = String(repeating: "x", count: Limits.messageBody)
            let port = try #require(api.client.port)
            let stalled = try await RawWebSocket.open(port: port, path: "/ws?access_token=\(owner.accessToken)&org=\(owner.orgID)", receiveBuffer: 4096)
            stalled.sendText(#"{"type":"subscribe","id":"s","conversation_id":"\#(conversation.id)"}"#)
            // act: ~10 KB events pile up for a client that never reads, until the server lets go of it
            var sent = 0
            while sent < 3_000 {
                _ = try await api.sendMessage(owner, conversation, body)
                sent += 1
                if sent > 1, api.runtime.hub.subscriptionCount == 0 { break }
            }
            // check: the server dropped the subscriber long before queuing every event
            #expect(api.runtime.hub.subscriptionCount == 0, "still subscribed after \(sent) events")
            #expect(sent < 3_000)
            withExtendedLifetime(stalled) {}
        }
    }

    @Test("a flooding socket is rate limited and finally closed (4029); other sockets are unaffected")
    func flood() async throws {
        try await withLiveParley(.sqlite, configure: { $0.realtimeBurst = 5; $0.realtimeRate = 1 }) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            try await api.socket(agent) { calm in
                let close = try await api.socket(owner) { flooder in
                    // act: far more commands than the burst allows, without waiting for answers
                    for index in 0..<300 { try await flooder.send(["type": "ping", "id": "f\(index)"]) }
                    var acks = 0
                    var limited = 0
                    while let frame = try await flooder.next() {
                        if frame["type"] as? String == "ack" { acks += 1 }
                        if frame["code"] as? String == "rate-limited" { limited += 1 }
                    }
                    // check: a handful got through, the rest were refused, then the socket was closed
                    #expect(acks >= 5 && acks < 50)
                    #expect(limited > 0)
                }
                #expect(close?.closeCode == .unknown(4029))
                // The other socket, same organization, still works.
                try await calm.send(["type": "ping", "id": "still-here"])
                #expect(try await calm.reply(to: "still-here").reply["type"] as? String == "ack")
            }
        }
    }

    @Test("malformed frames get an error frame and the socket stays usable")
    func malformed() async throws {
        try await withLiveParley(.sqlite) { api in
            let owner = try await api.signUp()
            try await api.socket(owner) { probe in
                try await probe.outbound.write(.text("{not json"))
                #expect(try await probe.next()?["code"] as? String == "malformed-frame")
                try await probe.send(["type": "teleport", "id": "x"])
                #expect(try await probe.next()?["code"] as? String == "malformed-frame")
                try await probe.send(["type": "send", "id": "v", "conversation_id": "cnv_x", "body": "hi"])
                #expect(try await probe.reply(to: "v").reply["code"] as? String == "not-found")
                try await probe.send(["type": "send", "id": "w", "conversation_id": "cnv_x", "body": ""])
                #expect(try await probe.reply(to: "w").reply["code"] as? String == "validation")
                try await probe.send(["type": "ping", "id": "ok"])
                #expect(try await probe.reply(to: "ok").reply["type"] as? String == "ack")
            }
        }
    }
}
