import Foundation
import HummingbirdWSClient
import Logging
import ParleyCore
import ParleyServer
import Synchronization
import Testing

@Suite("Scale-out on PostgreSQL")
struct ScaleOutTests {
    static let secret = "scale-out-test-secret-0123456789abcdef"

    /// What the sockets saw, shared between their handler closures and the test.
    final class Observations: Sendable {
        let acked = Mutex<[String]>([])
        let received = Mutex<[String]>([])
        let next = Atomic<Int>(0)
    }

    @Test("two instances share events; after one is SIGKILLed every acked message reaches the agent once, in order")
    func twoInstancesSurviveAKill() async throws {
        try await withTestDatabase(.postgres) { database in
            guard let url = database.url else { return }
            // setup: the schema and the accounts, written by a third party on the same database
            var config = database.configuration()
            config.jwtSecret = Self.secret
            let runtime = try await ParleyRuntime.open(config: config, logger: quietLogger("scale-out"))
            let a = try ServerInstance(databaseURL: url, secret: Self.secret)
            let b = try ServerInstance(databaseURL: url, secret: Self.secret)
            defer {
                a.stop()
                b.stop()
            }
            let hash = try await runtime.services.passwords.hash("a long password")
            let (sender, org) = try await runtime.store.signUp(email: "x@example.com", name: "X", passwordHash: hash, organizationName: "Scale")
            let receiver = try await runtime.store.createUser(email: "y@example.com", name: "Y", passwordHash: hash)
            let scope = try #require(try await runtime.store.operatorScope(orgID: org.id))
            _ = try await runtime.store.createInvitation(scope, email: "y@example.com", role: .agent, tokenHash: "h-y",
                                                          expiresAt: Date().addingTimeInterval(600))
            _ = try await runtime.store.acceptInvitation(tokenHash: "h-y", userID: receiver.id)
            let site = try await runtime.store.createSite(scope, name: "S", allowedOrigins: [])
            let conversation = try await runtime.store.startConversation(scope, siteID: site.id, visitorName: "V", visitorEmail: nil,
                                                                         firstMessage: nil)
            func token(_ userID: String) async throws -> String {
                let refresh = runtime.services.tokens.newRefreshToken()
                let session = try await runtime.store.startSession(userID: userID, tokenHash: refresh.hash, expiresAt: refresh.expiresAt)
                return try await runtime.services.tokens.accessToken(userID: userID, sessionID: session)
            }
            let senderToken = try await token(sender.id)
            let receiverToken = try await token(receiver.id)
            await runtime.shutdown()

            let total = 60
            let killAfter = 20
            let seen = Observations()
            let logger = quietLogger("scale-out-ws")
            func socketURL(_ instance: ServerInstance, _ token: String) -> String {
                "ws://127.0.0.1:\(instance.port)/ws?org=\(org.id)&access_token=\(token)"
            }

            // The agent listens on B for the whole test.
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (subscribed, subscribedSignal) = AsyncStream.makeStream(of: Void.self)
                group.addTask {
                    try await WebSocketClient.connect(url: socketURL(b, receiverToken), logger: logger) { inbound, outbound, _ in
                        try await outbound.write(.text(#"{"type":"subscribe","id":"s","conversation_id":"\#(conversation.id)"}"#))
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        while let message = try await messages.next() {
                            guard case .text(let text) = message,
                                let frame = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                            if frame["id"] as? String == "s" { subscribedSignal.yield() }
                            guard frame["event"] as? String == "message.created",
                                let body = (frame["data"] as? [String: Any])?["body"] as? String else { continue }
                            seen.received.withLock { $0.append(body) }
                            if body == "m\(total - 1)" { return }
                        }
                    }
                }
                var ready = subscribed.makeAsyncIterator()
                _ = await ready.next()

                // act: the sender writes through A, which is killed mid-stream; it resumes on B.
                for instance in [a, b] {
                    _ = try? await WebSocketClient.connect(url: socketURL(instance, senderToken), logger: logger) { inbound, outbound, _ in
                        var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        while case let next = seen.next.load(ordering: .relaxed), next < total {
                            try await outbound.write(.text(
                                #"{"type":"send","id":"\#(next)","conversation_id":"\#(conversation.id)","body":"m\#(next)","client_id":"c\#(next)"}"#))
                            // Wait for this message's answer; a dropped connection ends the closure unacked.
                            while true {
                                guard let message = try await messages.next() else { throw CancellationError() }
                                guard case .text(let text) = message, text.contains(#""id":"\#(next)""#) else { continue }
                                if text.hasPrefix(#"{"type":"ack""#) { seen.acked.withLock { $0.append("m\(next)") } }
                                break
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
            #expect(ackedBodies == (0..<total).map { "m\($0)" })  // the sender resent the unacked one on B
            #expect(received == received.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }, "duplicates")
            #expect(ackedBodies.allSatisfy(received.contains), "acked but never delivered")
            #expect(received == received.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! }, "out of order")
        }
    }
}
