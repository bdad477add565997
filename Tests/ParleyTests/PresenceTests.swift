import Foundation
import ParleyCore
import ParleyRealtime
import ParleyStore
import Testing

@Suite("Presence")
struct PresenceTests {
    @Test("agents see each other come online, go away and leave", arguments: Backend.allCases)
    func presenceFlow(_ backend: Backend) async throws {
        try await withLiveParley(backend) { api in
            let owner = try await api.signUp()
            let agent = try await api.addMember(to: owner)
            let stranger = try await api.signUp()
            try await api.socket(owner) { watcher in
                try await watcher.send(["type": "subscribe_inbox", "id": "i"])
                let (ack, _) = try await watcher.reply(to: "i")
                #expect((ack["presence"] as? [String: String]) == [owner.userID: "online"])

                try await api.socket(stranger) { _ in }  // another tenant's presence must not show up here
                try await api.socket(agent) { typist in
                    try await typist.send(["type": "presence", "id": "away", "status": "away"])
                    #expect(try await typist.reply(to: "away").reply["type"] as? String == "ack")
                }
                var seen: [String] = []
                while let frame = try await watcher.next(), frame["type"] as? String == "presence" {
                    #expect(frame["user_id"] as? String == agent.userID)
                    seen.append(frame["status"] as? String ?? "?")
                    if seen.last == "offline" { break }
                }
                #expect(seen == ["online", "away", "offline"])
            }
        }
    }

    @Test("a connection whose instance died goes offline once its heartbeat is stale", arguments: Backend.allCases)
    func staleRowsSwept(_ backend: Backend) async throws {
        let clock = ManualClock()
        try await withParley(backend, clock: clock) { api in
            let owner = try await api.signUp()
            let scope = try #require(try await api.store.memberScope(userID: owner.userID, orgID: owner.orgID))
            let bus = InProcessEphemeralBus()
            let (announced, forward) = AsyncStream.makeStream(of: EphemeralSignal.self)
            let relay = Task { try? await bus.run { forward.yield($0) } }
            var announcements = announced.makeAsyncIterator()
            // setup: another instance registered a socket, then died (no more heartbeats)
            let deadInstance = PresenceTracker(store: api.store, bus: bus, clock: clock, logger: quietLogger("dead"))
            try await deadInstance.set(scope, connectionID: "conn-on-dead-instance", status: .online)
            #expect(try await deadInstance.snapshot(scope) == [owner.userID: .online])
            #expect(await announcements.next()?.text.contains(#""status":"online""#) == true)

            // act: time passes beyond the TTL; a surviving instance does its upkeep
            clock.advance(by: PresenceTracker.ttl + 1)
            let survivor = PresenceTracker(store: api.store, bus: bus, clock: clock, logger: quietLogger("survivor"))
            try await survivor.tick()

            // check: the stale row is gone and the user is reported offline
            #expect(try await survivor.snapshot(scope).isEmpty)
            let scopeAll = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            #expect(try await api.store.presence(scopeAll, freshAfter: .distantPast).isEmpty)
            // (skipping the availability signals for the organization's visitors)
            var offline = await announcements.next()
            while offline?.visitors == true { offline = await announcements.next() }
            #expect(offline?.text == #"{"type":"presence","user_id":"\#(owner.userID)","status":"offline"}"#)
            #expect(offline?.orgID == owner.orgID)
            relay.cancel()
        }
    }
}
