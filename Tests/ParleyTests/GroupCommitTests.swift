import Foundation
import ParleyCore
@testable import ParleyStore
import Synchronization
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    /// Waits, without sleeping, until `condition` holds (another task gets there by itself).
    private func until(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test("writes that arrive while one is in flight go together, in arrival order, and each caller gets its own answer")
    func batching() async throws {
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let batches = Mutex<[[Int]]>([])
        let commit = GroupCommit<Int, Int>(maxBatch: 3, maxWriters: 1) { _, items in
            batches.withLock { $0.append(items) }
            if items == [0] { for await _ in gate { break } }  // the first write stalls until told
            return items.map { $0 == 4 ? .failure(StoreError.notFound("item")) : .success($0 * 10) }
        }

        let first = Task { try await commit.submit(0, key: "org") }
        await until { batches.withLock { $0.count } == 1 }
        var later: [Task<Int, any Error>] = []
        for item in 1...5 {
            later.append(Task { try await commit.submit(item, key: "org") })
            await until { commit.waitingCount(for: "org") == item }
        }
        // Another key is not held up by this one's stalled write.
        #expect(try await commit.submit(7, key: "other org") == 70)
        open.yield()

        #expect(try await first.value == 0)
        for (index, task) in later.enumerated() where index + 1 != 4 {
            #expect(try await task.value == (index + 1) * 10)
        }
        await #expect(throws: StoreError.self) { try await later[3].value }
        #expect(batches.withLock { $0 } == [[0], [7], [1, 2, 3], [4, 5]])
        #expect(commit.waitingCount(for: "org") == 0)
    }

    @Test("at most maxWriters writes of one key are in flight")
    func writerLimit() async throws {
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let inFlight = Mutex((now: 0, most: 0))
        let commit = GroupCommit<Int, Int>(maxBatch: 1, maxWriters: 2) { _, items in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            for await _ in gate { break }
            inFlight.withLock { $0.now -= 1 }
            return items.map { .success($0) }
        }
        let tasks = (0..<5).map { item in Task { try await commit.submit(item, key: "org") } }
        await until { inFlight.withLock { $0.now } == 2 && commit.waitingCount(for: "org") == 3 }
        for _ in 0..<5 { open.yield() }
        for (item, task) in tasks.enumerated() { #expect(try await task.value == item) }
        #expect(inFlight.withLock { $0.most } == 2)
    }

    /// PostgreSQL only: SQLite writes messages one by one on its single writer, without batches.
    @Test("one batch numbers each conversation's messages in order, skips a missing conversation; a retried client id or a removed member's message fails alone")
    func postgresBatch() async throws {
        try await withParley(.postgres) { api in
            let owner = try await api.signUp()
            let site = try await api.createSite(owner)
            let first = try await api.startConversation(owner, site: site, message: nil)
            let second = try await api.startConversation(owner, site: site, message: "Hello")
            let scope = try #require(try await api.store.operatorScope(orgID: owner.orgID))
            let cursorBefore = try await api.store.inboxCursor(scope)
            func draft(_ conversation: String, _ body: String, clientID: String? = nil) throws -> ParleyStore.RenderedMessage {
                try ParleyStore.RenderedMessage(conversationID: conversation, draft: MessageDraft(body: body, isPrivate: false, clientID: clientID),
                                                author: (.member, owner.userID), now: 1_700_000_000_000)
            }

            let batch = [try draft(first.id, "a1"), try draft(second.id, "b1"), try draft("cnv_missing", "lost"), try draft(first.id, "a2")]
            let results = await ParleyStore.writeGroup(api.store.engine, orgID: owner.orgID, batch)

            #expect(try results[0].get() == first.seq + 1)
            #expect(try results[1].get() == second.seq + 1)
            #expect(throws: StoreError.self) { try results[2].get() }
            #expect(try results[3].get() == first.seq + 2)
            let events = try await api.store.events(scope, conversationID: first.id, afterSeq: first.seq)
            #expect(events.map(\.seq) == [first.seq + 1, first.seq + 2])
            #expect(events.map(\.payload) == [batch[0].json.filled(first.seq + 1), batch[3].json.filled(first.seq + 2)])
            let cursors = try await api.store.inboxEvents(scope, afterCursor: cursorBefore).map(\.orgSeq)
            #expect(cursors.count == 3 && cursors == cursors.sorted())
            let stored = try await api.store.conversation(scope, id: first.id)
            #expect(stored.seq == first.seq + 2)
            #expect(stored.lastMessage?.body == "a2")
            #expect(try await api.store.readMarkers(scope, conversationID: first.id)[owner.userID] == first.seq + 2)

            // The second send of client id "x" undoes the batch; written one by one, only it fails.
            let retry = [try draft(first.id, "x once", clientID: "x"), try draft(first.id, "x again", clientID: "x"), try draft(second.id, "b2")]
            let retried = await ParleyStore.writeGroup(api.store.engine, orgID: owner.orgID, retry)
            #expect(try retried[0].get() == first.seq + 3)
            #expect(throws: (any Error).self) { try retried[1].get() }
            #expect(try retried[2].get() == second.seq + 2)
            let page = try await api.store.messages(scope, conversationID: first.id, direction: .before(nil), limit: 10)
            #expect(page.items.map(\.body) == ["a1", "a2", "x once"])

            // A removed member's message writes nothing of its batch; written one by one, only it fails.
            let agent = try await api.addMember(to: owner)
            try await api.store.removeMember(scope, userID: agent.userID)
            let removed = try ParleyStore.RenderedMessage(conversationID: first.id, draft: MessageDraft(body: "gone", isPrivate: false, clientID: nil),
                                                          author: (.member, agent.userID), now: 1_700_000_000_000)
            let mixed = await ParleyStore.writeGroup(api.store.engine, orgID: owner.orgID, [removed, try draft(first.id, "still here")])
            #expect(throws: StoreError.notFound("conversation")) { try mixed[0].get() }
            #expect(try mixed[1].get() == first.seq + 4)
        }
    }
}
