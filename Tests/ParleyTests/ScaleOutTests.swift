import Foundation
import HummingbirdWSClient
import Logging
import ParleyCore
import ParleyServer
import ParleyStore
import Synchronization
import Testing

@Suite("Scale-out on PostgreSQL")
struct ScaleOutTests {
    static let secret = "scale-out-test-secret-0123456789abcdef"

    /// What the sockets saw, shared between their handler closures and the test.
    final class Observations: Sendable {
        let acked = Mutex<[String]>([])
        /// Visitor messages as the agent received them.
        let received = Mutex<[String]>([])
        /// Other frames the agent saw (presence, receipts), and what the visitor saw.
        let agentFrames = Mutex<[[String: any Sendable]]>([])
        let visitorFrames = Mutex<[[String: any Sendable]]>([])
        let next = Atomic<Int>(0)
        let conversationID = Mutex<String?>(nil)
        let visitorLastSeq = Atomic<Int>(0)
    }

    static func frame(_ message: WebSocketMessage) -> [String: any Sendable]? {
        guard case .text(let text) = message else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: any Sendable]
    }

    // A lost frame would leave the clients waiting for ever: fail instead of hanging the run.
    @Test("visitor on instance A, agent on B: messages, receipts and presence flow both ways; after A is SIGKILLed the visitor resumes on B and every acked message reaches the agent once, in order", .timeLimit(.minutes(2)))
    func twoInstancesSurviveAKill() async throws {
        try await withTestDatabase(.postgres) { database in
            guard let url = database.url else { return }
            // setup: the schema, an agent and a site, written by a third party on the same database
            var config = database.configuration()
            config.jwtSecret = Self.secret
            let runtime = try await ParleyRuntime.open(config: config, logger: quietLogger("scale-out"))
            let a = try await ServerInstance.start(databaseURL: url, secret: Self.secret)
            let b = try await ServerInstance.start(databaseURL: url, secret: Self.secret)
            defer {
                a.stop()
                b.stop()
            }
            let hash = try await runtime.services.passwords.hash("a long password")
            let (agent, org) = try await runtime.store.signUp(email: "x@example.com", name: "X", passwordHash: hash, organizationName: "Scale")
            let scope = try #require(try await runtime.store.operatorScope(orgID: org.id))
            // The test's WebSocket client sends the Origin of its URL: http://127.0.0.1.
            let site = try await runtime.store.createSite(scope, name: "S", allowedOrigins: ["http://127.0.0.1"])
            let refresh = runtime.services.tokens.newRefreshToken()
            let session = try await runtime.store.startSession(userID: agent.id, tokenHash: refresh.hash, expiresAt: refresh.expiresAt)
            let agentToken = try await runtime.services.tokens.accessToken(userID: agent.id, sessionID: session)
            let widgetSite = try #require(try await runtime.store.widgetSite(key: site.siteKey))
            let visitor = try await runtime.store.visitorSession(site: widgetSite, presentedHash: nil, freshHash: "h-visitor").scope
            let visitorToken = try await runtime.services.tokens.visitorToken(
                VisitorIdentity(orgID: org.id, siteID: site.id, visitorID: visitor.visitorID)).token
            await runtime.shutdown()

            let total = 60
            let killAfter = 20
            let seen = Observations()
            let logger = quietLogger("scale-out-ws")

            // The agent follows the inbox on B for the whole test, answering the visitor's first message.
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (subscribed, subscribedSignal) = AsyncStream.makeStream(of: Void.self)
                group.addTask {
                    let url = "ws://127.0.0.1:\(b.port)/ws?org=\(org.id)&access_token=\(agentToken)"
                    try await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                        try await outbound.write(.text(#"{"type":"subscribe_inbox","id":"s"}"#))
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        while let message = try await messages.next() {
                            guard let frame = Self.frame(message) else { continue }
                            if frame["id"] as? String == "s" { subscribedSignal.yield() }
                            guard frame["event"] as? String == "message.created" else {
                                seen.agentFrames.withLock { $0.append(frame) }
                                continue
                            }
                            let data = frame["data"] as? [String: any Sendable]
                            guard data?["author_type"] as? String == "visitor", let body = data?["body"] as? String,
                                let conversation = frame["conversation_id"] as? String, let seq = frame["seq"] as? Int else { continue }
                            seen.received.withLock { $0.append(body) }
                            if body == "m0" {
                                try await outbound.write(.text(
                                    #"{"type":"send","id":"reply","conversation_id":"\#(conversation)","body":"reply from B"}"#))
                            }
                            // Receipts are live-only (they have no sequence to replay by), so the agent reads once the
                            // visitor is surely subscribed: it sends m1 only after its subscription was acked.
                            if body == "m1" {
                                try await outbound.write(.text(#"{"type":"read","id":"read","conversation_id":"\#(conversation)","seq":\#(seq)}"#))
                            }
                            if body == "m\(total - 1)" { return }
                        }
                    }
                }
                var ready = subscribed.makeAsyncIterator()
                _ = await ready.next()

                // act: the visitor writes through A, which is killed mid-stream; it reconnects to B and resumes.
                for instance in [a, b] {
                    let url = "http://127.0.0.1:\(instance.port)/ws?visitor_token=\(visitorToken)&page=https%3A%2F%2Fexample.com%2Fcart"
                    _ = try? await WebSocketClient.connect(url: url, logger: logger) { inbound, outbound, _ in
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        /// Sends a command and waits for its answer, keeping the frames before it.
                        func command(_ id: String, _ text: String) async throws -> [String: any Sendable] {
                            try await outbound.write(.text(text))
                            while true {
                                guard let message = try await messages.next() else { throw CancellationError() }  // dropped: unanswered
                                guard let frame = Self.frame(message) else { continue }
                                if frame["id"] as? String == id { return frame }
                                if let seq = frame["seq"] as? Int, frame["type"] as? String == "event" {
                                    seen.visitorLastSeq.store(max(seen.visitorLastSeq.load(ordering: .relaxed), seq), ordering: .relaxed)
                                }
                                seen.visitorFrames.withLock { $0.append(frame) }
                            }
                        }
                        if let conversation = seen.conversationID.withLock({ $0 }) {
                            _ = try await command("resume", #"{"type":"subscribe","id":"resume","conversation_id":"\#(conversation)","after_seq":\#(seen.visitorLastSeq.load(ordering: .relaxed))}"#)
                        }
                        while case let next = seen.next.load(ordering: .relaxed), next < total {
                            let answer = try await command("\(next)", #"{"type":"send","id":"\#(next)","body":"m\#(next)","client_id":"c\#(next)"}"#)
                            guard answer["type"] as? String == "ack", let message = answer["message"] as? [String: any Sendable] else { continue }
                            seen.acked.withLock { $0.append("m\(next)") }
                            if next == 0, let conversation = message["conversation_id"] as? String {
                                seen.conversationID.withLock { $0 = conversation }
                                _ = try await command("sub", #"{"type":"subscribe","id":"sub","conversation_id":"\#(conversation)","after_seq":0}"#)
                                _ = try await command("read", #"{"type":"read","id":"read","conversation_id":"\#(conversation)","seq":\#(message["seq"] as? Int ?? 0)}"#)
                            }
                            seen.next.store(next + 1, ordering: .relaxed)
                            if instance === a, next + 1 == killAfter { a.kill() }
                        }
                    }
                }
                try await group.next()
            }

            // check: everything acked arrived exactly once and in order
            let ackedBodies = seen.acked.withLock { $0 }
            let received = seen.received.withLock { $0 }
            #expect(ackedBodies == (0..<total).map { "m\($0)" })  // the visitor resent the unacked one on B
            #expect(received == received.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }, "duplicates")
            #expect(ackedBodies.allSatisfy(received.contains), "acked but never delivered")
            #expect(received == received.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! }, "out of order")
            // ...and the rest crossed instances both ways.
            let agentFrames = seen.agentFrames.withLock { $0 }
            #expect(agentFrames.contains { $0["visitor_id"] as? String == visitor.visitorID && $0["status"] as? String == "online"
                && $0["page"] as? String == "https://example.com/cart" }, "the visitor's presence on A never reached B")
            #expect(agentFrames.contains { ($0["data"] as? [String: any Sendable])?["reader_id"] as? String == visitor.visitorID },
                    "the visitor's receipt never reached B")
            let visitorFrames = seen.visitorFrames.withLock { $0 }
            #expect(visitorFrames.contains { ($0["data"] as? [String: any Sendable])?["body"] as? String == "reply from B" },
                    "the agent's reply never reached the visitor")
            #expect(visitorFrames.contains { ($0["data"] as? [String: any Sendable])?["reader_id"] as? String == agent.id },
                    "the agent's receipt never reached the visitor")
        }
    }
}

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("SIGTERM closes open WebSockets with 1001 (going away) before the server stops", .timeLimit(.minutes(1)))
    func goingAway() async throws {
        let secret = "graceful-shutdown-secret-0123456789abcdef"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-graceful-\(UUID().uuidString)").path
        var config = ParleyConfiguration()
        config.dataDirectory = directory
        config.jwtSecret = secret
        config.bcryptCost = 4
        // setup: an account in the SQLite file the instance will serve
        let runtime = try await ParleyRuntime.open(config: config, logger: quietLogger("graceful"))
        let (user, org) = try await runtime.store.signUp(email: "g@example.com", name: "G", passwordHash: "x", organizationName: "G")
        let refresh = runtime.services.tokens.newRefreshToken()
        let session = try await runtime.store.startSession(userID: user.id, tokenHash: refresh.hash, expiresAt: refresh.expiresAt)
        let token = try await runtime.services.tokens.accessToken(userID: user.id, sessionID: session)
        await runtime.shutdown()

        let instance = try await ServerInstance.start(databaseURL: nil, secret: secret, dataDirectory: directory)
        defer { instance.stop() }
        let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(instance.port)/ws?org=\(org.id)&access_token=\(token)",
                                                      logger: quietLogger("graceful-ws")) { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"ping","id":"p"}"#))
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            _ = try await messages.next()  // the ack: the socket is up
            instance.terminate()
            while try await messages.next() != nil {}
        }
        #expect(close?.closeCode == .goingAway)
    }
}
