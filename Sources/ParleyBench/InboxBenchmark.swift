import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ParleyCore
import ParleyServer

/// Seeds one organization (default 100k conversations, 1M messages) and measures the inbox page and
/// a message page through the real HTTP server, printing p50/p99 per page kind.
struct InboxBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inbox", abstract: "Inbox and message-page latency.")

    @Option(help: "postgres://… to benchmark PostgreSQL (the database should be empty); SQLite otherwise.")
    var databaseURL: String?

    @Option(help: "Conversations to seed.") var conversations = 100_000
    @Option(help: "Messages per conversation.") var messagesPerConversation = 10
    @Option(help: "Measured requests per page kind.") var requests = 1_000

    func run() async throws {
        var logger = Logger(label: "parley-bench")
        logger.logLevel = .error
        var config = ParleyConfiguration()
        config.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("parley-bench-\(RandomToken.make(length: 8))").path
        config.databaseURL = databaseURL
        config.bcryptCost = 4
        config.port = 0
        config.jwtSecret = RandomToken.make(length: 48)
        config.logLevel = .error
        defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }

        let runtime = try await ParleyRuntime.open(config: config, logger: logger)
        let database = runtime.store.dialect.rawValue
        Report.line("Seeding \(conversations) conversations × \(messagesPerConversation) messages on \(database)…")
        let seeded = try await InboxSeeder(runtime: runtime, conversations: conversations,
                                           messagesPerConversation: messagesPerConversation).seed { Report.line($0) }

        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = buildApplication(runtime: runtime) { port in portContinuation.yield(port) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var ports = portStream.makeAsyncIterator()
            guard let port = await ports.next() else { return }
            try await measure(port: port, seeded: seeded, database: database)
            group.cancelAll()
        }
        await runtime.shutdown()
    }

    private func measure(port: Int, seeded: InboxSeeder.Seeded, database: String) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        let base = "http://127.0.0.1:\(port)"
        struct Tokens: Decodable { let accessToken: String }
        var login = HTTPClientRequest(url: base + "/api/v1/auth/login")
        login.method = .POST
        login.headers.add(name: "content-type", value: "application/json")
        login.body = .bytes(ByteBuffer(string: #"{"email":"\#(seeded.ownerEmail)","password":"\#(InboxSeeder.password)"}"#))
        let loginResponse = try await client.execute(login, timeout: .seconds(30))
        let token = try JSONCoding.makeDecoder().decode(Tokens.self, from: Data(buffer: try await loginResponse.body.collect(upTo: 1 << 20))).accessToken

        var random = SeededGenerator(state: 7)
        let org = "\(base)/api/v1/orgs/\(seeded.orgID)"
        let middleCursor = try await nextCursor(client, "\(org)/conversations?limit=25", token: token, hops: 20)
        let kinds: [(String, () -> String)] = [
            ("inbox page (first, 25 rows)", { "\(org)/conversations?limit=25" }),
            ("inbox page (status=open)", { "\(org)/conversations?limit=25&status=open" }),
            ("inbox page (assignee=me)", { "\(org)/conversations?limit=25&assignee=me" }),
            ("inbox page (cursor, page 21)", { "\(org)/conversations?limit=25&cursor=\(middleCursor)" }),
            ("message page (latest 50)", {
                "\(org)/conversations/\(seeded.conversationIDs[Int(random.next() % UInt64(seeded.conversationIDs.count))])/messages?limit=50"
            }),
            ("message page (before seq 6)", {
                "\(org)/conversations/\(seeded.conversationIDs[Int(random.next() % UInt64(seeded.conversationIDs.count))])/messages?limit=50&before=6"
            }),
        ]
        Report.line("\nLatency through HTTP on 127.0.0.1 (\(database), \(requests) requests each after 50 warm-up, one at a time):")
        for (name, url) in kinds {
            var samples = LatencySamples(name)
            for index in 0..<(requests + 50) {
                let started = ContinuousClock.now
                try await get(client, url(), token: token)
                if index >= 50 { samples.record(ContinuousClock.now - started) }
            }
            Report.line("  " + samples.summary)
        }
    }

    @discardableResult
    private func get(_ client: HTTPClient, _ url: String, token: String) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else {
            throw ValidationFailure("GET \(url) answered \(response.status): \(String(buffer: body))")
        }
        return body
    }

    private func nextCursor(_ client: HTTPClient, _ url: String, token: String, hops: Int) async throws -> String {
        struct PageCursor: Decodable { let nextCursor: String? }
        var cursor = ""
        for _ in 0..<hops {
            let body = try await get(client, url + (cursor.isEmpty ? "" : "&cursor=\(cursor)"), token: token)
            cursor = try JSONCoding.makeDecoder().decode(PageCursor.self, from: Data(buffer: body)).nextCursor ?? cursor
        }
        return cursor
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
